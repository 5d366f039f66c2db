package dev.tandem.prefill.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.sampling.SamplingParams;
import dev.tandem.worker.WorkerRuntime;
import dev.tandem.prefill.scheduling.PrefillQueue.Prefilled;
import io.quarkus.test.junit.QuarkusTest;

/** Prompts that wait together are prefilled together, with the results each gets alone. */
@QuarkusTest
class PrefillBatchingTest {

    @Inject
    PrefillQueue queue;

    @Inject
    WorkerRuntime runtime;

    private static int[] prompt(int length, int salt) {
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = 3 + (i * 31 + salt * 17) % 250;
        }
        return tokens;
    }

    @Test
    void waitingPromptsArePrefilledTogetherWithTheSameResults() throws Exception {
        KvBlockPool pool = runtime.pool();
        int usedBefore = pool.usedBlocks(); // other tests' KV handles may still hold blocks
        int inflightBefore = queue.inflight();
        SamplingParams greedy = SamplingParams.greedy(1);
        // a long prompt keeps the engine busy while four short ones arrive and wait
        CompletableFuture<Prefilled> busy = queue.submit("batch-busy", prompt(1900, 0), greedy, 0);
        List<CompletableFuture<Prefilled>> together = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            together.add(queue.submit("batch-" + i, prompt(20 + 7 * i, 100 + i), greedy, 0));
        }
        pool.free(busy.get(60, TimeUnit.SECONDS).sequence());
        List<Prefilled> batched = new ArrayList<>();
        for (CompletableFuture<Prefilled> f : together) {
            batched.add(f.get(60, TimeUnit.SECONDS));
        }
        // one engine pass: the same prefill time for all four, each having waited for the long prompt
        for (int i = 0; i < batched.size(); i++) {
            Prefilled p = batched.get(i);
            assertEquals(batched.getFirst().prefillMicros(), p.prefillMicros(), "prefilled in one pass");
            assertTrue(p.queueMicros() > 0);
            assertEquals(27 + 7 * i, p.sequence().length());
        }
        batched.forEach(p -> pool.free(p.sequence()));

        for (int i = 1; i <= 4; i++) {
            Prefilled alone = queue.submit("alone-" + i, prompt(20 + 7 * i, 100 + i), greedy, 0).get(60, TimeUnit.SECONDS);
            Prefilled inBatch = batched.get(i - 1);
            assertEquals(alone.firstToken(), inBatch.firstToken(), "prompt " + i);
            assertEquals(20 + 7 * i, alone.sequence().length());
            pool.free(alone.sequence());
        }
        assertEquals(usedBefore, pool.usedBlocks());
        assertEquals(inflightBefore, queue.inflight());
    }
}
