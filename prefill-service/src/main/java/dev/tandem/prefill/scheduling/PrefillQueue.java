package dev.tandem.prefill.scheduling;

import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import dev.tandem.model.engine.KvCapacityException;
import dev.tandem.model.engine.LlamaEngine;
import dev.tandem.model.kv.KvBlockPool;
import dev.tandem.model.kv.KvSequence;
import dev.tandem.model.sampling.Sampler;
import dev.tandem.model.sampling.SamplingParams;
import dev.tandem.model.worker.WorkerRuntime;

/**
 * Runs prompts through the engine one at a time, in arrival order (the engine parallelises inside a prompt).
 * A request cancelled while it waits is dropped without touching the engine.
 */
@ApplicationScoped
public class PrefillQueue {

    /** The KV of a prompt and the first token sampled after it. */
    public record Prefilled(KvSequence sequence, int firstToken, long queueMicros, long prefillMicros) {
    }

    private final LlamaEngine engine;
    private final KvBlockPool pool;
    private final Sampler sampler = new Sampler();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("prefill-engine").factory());
    /** Requests waiting for the engine; cancelling one takes it out. */
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inflight = new AtomicInteger();

    public PrefillQueue(WorkerRuntime runtime) {
        this.engine = runtime.engine();
        this.pool = runtime.pool();
    }

    /**
     * Prefills a prompt; completes with {@link KvCapacityException} when the KV pool cannot hold it and with
     * {@link CancellationException} when the request was cancelled first.
     */
    public CompletableFuture<Prefilled> submit(String requestId, int[] promptTokens, SamplingParams sampling, long seed) {
        long submittedAt = System.nanoTime();
        inflight.incrementAndGet();
        waiting.add(requestId);
        return CompletableFuture.supplyAsync(() -> {
            if (!waiting.remove(requestId)) {
                throw new CancellationException("request " + requestId + " was cancelled before its prefill ran");
            }
            long startedAt = System.nanoTime();
            KvSequence sequence = pool.newSequence();
            try {
                float[] logits = engine.prefill(sequence, promptTokens);
                int first = sampler.sample(logits, sampling, seed, 0);
                return new Prefilled(sequence, first, (startedAt - submittedAt) / 1000, (System.nanoTime() - startedAt) / 1000);
            } catch (RuntimeException e) {
                pool.free(sequence);
                throw e;
            }
        }, executor).whenComplete((result, error) -> inflight.decrementAndGet());
    }

    /** Marks a queued request cancelled; true when it was still waiting. */
    public boolean cancel(String requestId) {
        return waiting.remove(requestId);
    }

    public int inflight() {
        return inflight.get();
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
