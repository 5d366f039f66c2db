package dev.tandem.decode.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.engine.sampling.SamplingParams;
import dev.tandem.worker.FinishRule;

/** Admission, ordering and preemption decided on a bare KV pool: no engine, no model, no threads. */
class SchedulerTest {

    private static final int BLOCK = 4;
    private static final int CONTEXT = 1024;

    /** A sink that hears nothing: the scheduler never talks to sinks, the batch loop does. */
    private static final TokenSink NOWHERE = new TokenSink() {
        @Override
        public void started(long queueMicros, long prefillMicros, int computedTokens, int cachedTokens) {
        }

        @Override
        public void token(int tokenId, long stepMicros, int batchSize) {
        }

        @Override
        public void finish(FinishRule.Reason reason) {
        }

        @Override
        public void fail(SequenceFailure failure) {
        }
    };

    private final KvBlockPool pool = new KvBlockPool(1, 2, BLOCK, 8, false);

    private static SequenceRequest prompt(String id, int tokens) {
        return SequenceRequest.prompt(id, IntStream.range(0, tokens).map(i -> i + Math.floorMod(id.hashCode(), 7)).toArray(),
                SamplingParams.greedy(16), 0, NOWHERE);
    }

    /** What the batch loop does once a prefill completes: the K/V is there, the sequence runs. */
    private void prefill(Scheduler scheduler, Sequence sequence) {
        pool.append(sequence.kv, sequence.context);
        scheduler.prefilled(sequence);
        sequence.generated(1);
        scheduler.run(sequence);
    }

    /** What one decoding step does to every running sequence: one more position computed, one more token. */
    private void step(Scheduler scheduler) {
        assertTrue(scheduler.reserveNextPositions());
        for (Sequence sequence : scheduler.running()) {
            pool.append(sequence.kv, new int[] {sequence.lastToken()});
            sequence.generated(2);
        }
    }

    @Test
    void promptsAreAdmittedFirstComeFirstServedUpToTheBatchSize() {
        Scheduler scheduler = new Scheduler(pool, 2, CONTEXT);
        SequenceRequest a = prompt("a", 3);
        SequenceRequest b = prompt("b", 3);
        SequenceRequest c = prompt("c", 3);
        List.of(a, b, c).forEach(scheduler::submit);

        Sequence first = scheduler.nextToPrefill();
        assertSame(a, first.request);
        assertSame(first, scheduler.nextToPrefill(), "a prefill in progress goes on before anything else");
        prefill(scheduler, first);
        assertSame(b, scheduler.nextToPrefill().request);
        prefill(scheduler, scheduler.nextToPrefill());
        assertNull(scheduler.nextToPrefill(), "two in the batch: c waits for a slot");

        scheduler.publishGauges();
        assertEquals(2, scheduler.runningCount());
        assertEquals(1, scheduler.waitingCount());
        assertEquals(3, scheduler.pendingPrefillTokens(), "c's prompt is still to prefill");

        scheduler.leave(first);
        assertSame(c, scheduler.nextToPrefill().request, "a slot freed: c is admitted");
    }

    @Test
    void aPromptWaitsUntilThePoolCanHoldItAll() {
        Scheduler scheduler = new Scheduler(pool, 8, CONTEXT);
        scheduler.submit(prompt("big", 6 * BLOCK));
        scheduler.submit(prompt("second", 3 * BLOCK));
        Sequence big = scheduler.nextToPrefill();
        prefill(scheduler, big);
        assertEquals(6, pool.usedBlocks());

        assertNull(scheduler.nextToPrefill(), "3 blocks needed, 2 free: nothing admitted, nothing taken");
        assertEquals(6, pool.usedBlocks());
        scheduler.leave(big);
        assertEquals(0, pool.usedBlocks(), "a sequence that leaves frees its blocks");
        Sequence second = scheduler.nextToPrefill();
        assertEquals("second", second.request.requestId());
        assertEquals(3, pool.usedBlocks(), "the whole prompt is reserved on admission");
    }

    @Test
    void transferredKvJoinsTheBatchAheadOfWaitingPrompts() {
        Scheduler scheduler = new Scheduler(pool, 1, CONTEXT);
        SequenceRequest waitingPrompt = prompt("prompt", 3);
        SequenceRequest transferred = SequenceRequest.awaitingKv("moved", new int[] {1, 2, 3}, 42,
                SamplingParams.greedy(16), 0, NOWHERE);
        KvSequence kv = pool.newSequence();
        assertTrue(pool.reserve(kv, 3));
        pool.append(kv, new int[] {1, 2, 3});
        transferred.transferred(kv);
        scheduler.submit(waitingPrompt);
        scheduler.submit(transferred);

        Scheduler.Admitted admitted = scheduler.admitTransferred();
        assertEquals(1, admitted.joined().size());
        Sequence moved = admitted.joined().getFirst();
        assertSame(kv, moved.kv, "it runs on the KV it brought");
        assertEquals(42, moved.lastToken(), "continuing from the token sampled where it was prefilled");
        assertEquals(List.of(moved), scheduler.running());
        assertNull(scheduler.nextToPrefill(), "the batch of one is full: the prompt waits");
    }

    @Test
    void theYoungestSequenceIsPreemptedAndRecomputedFirst() {
        Scheduler scheduler = new Scheduler(pool, 8, CONTEXT);
        scheduler.submit(prompt("old", 4 * BLOCK - 1));
        scheduler.submit(prompt("young", 4 * BLOCK - 1));
        Sequence old = scheduler.nextToPrefill();
        prefill(scheduler, old);
        Sequence young = scheduler.nextToPrefill();
        prefill(scheduler, young);
        assertEquals(8, pool.usedBlocks(), "the pool is full");

        step(scheduler); // fills each sequence's last block
        assertTrue(scheduler.reserveNextPositions(), "the old sequence still runs");
        assertEquals(List.of(old), scheduler.running(), "the young one made room for it");
        assertEquals(1, scheduler.preemptions());
        assertNull(young.kv, "a preempted sequence holds no KV");
        scheduler.publishGauges();
        assertEquals(1, scheduler.waitingCount());

        scheduler.leave(old);
        Sequence again = scheduler.nextToPrefill();
        assertSame(young, again, "the preempted sequence is admitted before anything else");
        assertArrayEquals(young.contextToCompute(), again.context, "its prompt and generated tokens are recomputed");
        assertEquals(4 * BLOCK - 1 + 2, again.context.length);
    }

    @Test
    void cancelledSequencesAreTakenFromEveryQueueWithTheirKvFreed() {
        Scheduler scheduler = new Scheduler(pool, 8, CONTEXT);
        SequenceRequest running = prompt("running", 5);
        SequenceRequest prefilling = prompt("prefilling", 5);
        SequenceRequest waiting = prompt("waiting", 5);
        List.of(running, prefilling, waiting).forEach(scheduler::submit);
        prefill(scheduler, scheduler.nextToPrefill());
        scheduler.nextToPrefill();
        assertEquals(4, pool.usedBlocks());

        running.cancel();
        prefilling.cancel();
        waiting.cancel();
        List<Sequence> cancelled = scheduler.takeCancelled();
        assertEquals(List.of(running, prefilling), cancelled.stream().map(sequence -> sequence.request).toList());
        assertEquals(0, pool.usedBlocks());
        assertEquals(List.of(waiting), scheduler.admitTransferred().cancelled(), "a waiting one leaves the queue");
        assertFalse(scheduler.hasRunning());
        assertNull(scheduler.nextToPrefill());
    }

    @Test
    void aRequestThatCouldNeverFitIsRefusedUpFront() {
        Scheduler scheduler = new Scheduler(pool, 8, CONTEXT);
        assertTrue(scheduler.checkFits(8 * BLOCK - 16, SamplingParams.greedy(16)).isEmpty(), "exactly the whole pool");
        SequenceFailure refused = scheduler.checkFits(8 * BLOCK - 16, SamplingParams.greedy(17)).orElseThrow();
        assertEquals(SequenceFailure.Kind.TOO_LARGE, refused.kind());
        assertTrue(refused.description().contains("max_tokens (17)"), refused.description());
    }
}
