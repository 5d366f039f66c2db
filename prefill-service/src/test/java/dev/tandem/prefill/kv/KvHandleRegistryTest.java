package dev.tandem.prefill.kv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.prefill.kv.KvHandleRegistry.Pull;

/** A handle shared by a request's choices: one pull each, then freed; or freed by a cancel of any choice, or by time. */
class KvHandleRegistryTest {

    private final KvBlockPool pool = new KvBlockPool(1, 4, 16, 8);
    private KvHandleRegistry registry = new KvHandleRegistry(pool, Duration.ofSeconds(30));

    @AfterEach
    void stop() {
        registry.releaseAll();
    }

    private KvSequence prompt(int tokens) {
        KvSequence sequence = pool.newSequence();
        assertTrue(pool.reserve(sequence, tokens));
        pool.append(sequence, IntStream.range(0, tokens).toArray());
        return sequence;
    }

    @Test
    void eachChoiceThatGoesOnPullsOnceAndTheLastPullFreesTheKv() {
        String handle = registry.hold("req", 4, prompt(40), 3);
        Pull first = registry.take(handle).orElseThrow();
        Pull second = registry.take(handle).orElseThrow();
        first.close();
        second.close();
        assertEquals(3, pool.usedBlocks(), "a pull is still owed");
        assertEquals(1, registry.pending());
        Pull third = registry.take(handle).orElseThrow();
        assertEquals(0, registry.pending(), "no pull owed any more");
        assertTrue(registry.take(handle).isEmpty(), "as many pulls as it was held for");
        assertEquals(3, pool.usedBlocks(), "the last pull still streams");
        third.close();
        third.close();
        assertEquals(0, pool.usedBlocks());
    }

    @Test
    void aCancelUnderAnyChoiceIdFreesTheKvOnceNoPullStreamsIt() {
        String handle = registry.hold("req", 4, prompt(40), 4);
        Pull streaming = registry.take(handle).orElseThrow();
        assertFalse(registry.release("req-4"), "not one of its choices");
        assertFalse(registry.release("other"));
        assertTrue(registry.release("req-3"));
        assertTrue(registry.take(handle).isEmpty(), "no pull after a cancel");
        assertEquals(0, registry.pending());
        assertEquals(3, pool.usedBlocks(), "the running pull keeps its blocks");
        streaming.close();
        assertEquals(0, pool.usedBlocks());
        assertFalse(registry.release("req"), "nothing left to free");
    }

    @Test
    void aCancelOfChoiceZeroFreesAnUnpulledHandle() {
        registry.hold("req", 2, prompt(20), 2);
        assertTrue(registry.release("req"));
        assertEquals(0, pool.usedBlocks());
    }

    @Test
    void aHandleNotPulledInTimeIsFreedEvenWhenSomeChoicesPulled() {
        registry.releaseAll();
        registry = new KvHandleRegistry(pool, Duration.ofMillis(200));
        String handle = registry.hold("req", 3, prompt(40), 3);
        registry.take(handle).orElseThrow().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.pending() == 0);
        assertEquals(0, pool.usedBlocks());
        assertTrue(registry.take(handle).isEmpty());
    }
}
