package dev.tandem.prefill.scheduling;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import dev.tandem.model.engine.KvCapacityException;
import dev.tandem.model.engine.LlamaEngine;
import dev.tandem.model.kv.KvBlockPool;
import dev.tandem.model.kv.KvSequence;
import dev.tandem.model.sampling.Sampler;
import dev.tandem.model.sampling.SamplingParams;
import dev.tandem.model.sampling.TokenHistory;
import dev.tandem.model.worker.WorkerRuntime;

/**
 * Runs prompts through the engine one at a time, in arrival order (the engine parallelises inside a prompt).
 * A request cancelled while it waits is dropped without touching the engine; one cancelled while it runs has
 * its KV freed as soon as the engine is done with it.
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
    /** Requests waiting for or in the engine, each with its cancelled flag. */
    private final Map<String, AtomicBoolean> active = new ConcurrentHashMap<>();
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
        AtomicBoolean cancelled = new AtomicBoolean();
        active.put(requestId, cancelled);
        inflight.incrementAndGet();
        return CompletableFuture.supplyAsync(() -> {
            if (cancelled.get()) {
                throw new CancellationException("request " + requestId + " was cancelled before its prefill ran");
            }
            long startedAt = System.nanoTime();
            KvSequence sequence = pool.newSequence();
            try {
                float[] logits = engine.prefill(sequence, promptTokens);
                if (cancelled.get()) {
                    throw new CancellationException("request " + requestId + " was cancelled during its prefill");
                }
                int first = sampler.sample(logits, sampling, seed, TokenHistory.ofPrompt(promptTokens));
                return new Prefilled(sequence, first, (startedAt - submittedAt) / 1000, (System.nanoTime() - startedAt) / 1000);
            } catch (RuntimeException e) {
                pool.free(sequence);
                throw e;
            }
        }, executor).whenComplete((result, error) -> {
            active.remove(requestId, cancelled);
            inflight.decrementAndGet();
        });
    }

    /** Cancels a request waiting for or in the engine; true when there was one. */
    public boolean cancel(String requestId) {
        AtomicBoolean cancelled = active.get(requestId);
        if (cancelled == null) {
            return false;
        }
        cancelled.set(true);
        return true;
    }

    public int inflight() {
        return inflight.get();
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
