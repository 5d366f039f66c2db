package dev.tandem.engine.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** Waiting for KV blocks: until they come back, the caller gives up, or the timeout passes. */
class KvReservationTest {

    private final KvBlockPool pool = new KvBlockPool(1, 4, 16, 4);

    private KvSequence holding(int tokens) {
        KvSequence sequence = pool.newSequence();
        assertTrue(pool.reserve(sequence, tokens));
        return sequence;
    }

    @Test
    void aPromptTakesItsCachedPrefixAndBlocksForTheRest() {
        int[] prompt = IntStream.range(0, 40).toArray();
        KvSequence first = holding(prompt.length);
        pool.append(first, prompt);
        pool.free(first);

        KvReservation reservation = new KvReservation(pool, Duration.ZERO);
        KvSequence again = pool.newSequence();
        assertTrue(reservation.tryPrompt(again, prompt));
        assertEquals(32, again.length(), "the sequence holds the cached prefix");
        assertEquals(3, again.blockCount(), "and blocks for the rest");
    }

    @Test
    void aPromptThatDoesNotFitNowHoldsNothing() {
        holding(3 * 16);
        KvSequence sequence = pool.newSequence();
        assertFalse(new KvReservation(pool, Duration.ZERO).tryPrompt(sequence, IntStream.range(0, 20).toArray()));
        assertEquals(0, sequence.blockCount());
        assertEquals(3, pool.usedBlocks());
    }

    @Test
    void blocksFreedByAnotherThreadEndTheWait() throws Exception {
        KvSequence full = holding(4 * 16);
        KvReservation reservation = new KvReservation(pool, Duration.ofSeconds(30));
        KvSequence waiting = pool.newSequence();
        CompletableFuture<KvReservation.Outcome> outcome = CompletableFuture.supplyAsync(
                () -> reservation.awaitPrompt(waiting, IntStream.range(0, 20).toArray(), () -> false));
        Thread.sleep(20);
        assertFalse(outcome.isDone(), "no block free: it waits");
        pool.free(full);
        assertEquals(KvReservation.Outcome.RESERVED, outcome.get());
        assertEquals(2, waiting.blockCount());
    }

    @Test
    void theCallerGivingUpOrTheTimeoutEndsTheWait() {
        holding(4 * 16);
        KvSequence sequence = pool.newSequence();
        assertEquals(KvReservation.Outcome.CANCELLED,
                new KvReservation(pool, Duration.ofSeconds(30)).awaitPrompt(sequence, new int[] {1}, () -> true));
        assertEquals(KvReservation.Outcome.TIMED_OUT,
                new KvReservation(pool, Duration.ofMillis(10)).awaitPrompt(sequence, new int[] {1, 2}, () -> false));
        assertEquals(0, sequence.blockCount(), "nothing reserved either way");
    }
}
