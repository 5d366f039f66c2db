package dev.tandem.prefill.scheduling;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

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
import dev.tandem.prefill.config.PrefillConfig;

/**
 * Runs prompts through the engine one at a time, in arrival order (the engine parallelises inside a prompt),
 * computing only what the prefix cache does not hold.
 * A request cancelled while it waits is dropped without touching the engine; one cancelled while it runs has
 * its KV freed as soon as the engine is done with it.
 */
@ApplicationScoped
public class PrefillQueue {

    /** The KV of a prompt, the first token sampled after it, and how many prompt tokens came from the prefix cache. */
    public record Prefilled(KvSequence sequence, int firstToken, int cachedTokens, long queueMicros, long prefillMicros) {
    }

    private static final long KV_POLL_NANOS = 2_000_000;

    private final LlamaEngine engine;
    private final KvBlockPool pool;
    private final Sampler sampler = new Sampler();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("prefill-engine").factory());
    /** Requests waiting for or in the engine, each with its cancelled flag. */
    private final Map<String, AtomicBoolean> active = new ConcurrentHashMap<>();
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicInteger queuedPromptTokens = new AtomicInteger();

    /** How long a prompt waits for KV blocks: by then every handle held now has been pulled or has expired. */
    private final long kvWaitNanos;

    public PrefillQueue(WorkerRuntime runtime, PrefillConfig config) {
        this.engine = runtime.engine();
        this.pool = runtime.pool();
        this.kvWaitNanos = config.prefill().kvHandleTimeout().toNanos();
    }

    /**
     * Prefills a prompt, waiting while the KV pool is full of handles not yet pulled; completes with
     * {@link KvCapacityException} when the pool still cannot hold the prompt after that, and with
     * {@link CancellationException} when the request was cancelled first.
     */
    public CompletableFuture<Prefilled> submit(String requestId, int[] promptTokens, SamplingParams sampling, long seed) {
        long submittedAt = System.nanoTime();
        AtomicBoolean cancelled = new AtomicBoolean();
        active.put(requestId, cancelled);
        inflight.incrementAndGet();
        queuedPromptTokens.addAndGet(promptTokens.length);
        return CompletableFuture.supplyAsync(() -> {
            if (cancelled.get()) {
                throw new CancellationException("request " + requestId + " was cancelled before its prefill ran");
            }
            long startedAt = System.nanoTime();
            KvSequence sequence = pool.newSequence();
            try {
                int cached = reserve(sequence, promptTokens, cancelled);
                float[] logits = engine.prefill(sequence, Arrays.copyOfRange(promptTokens, cached, promptTokens.length));
                if (cancelled.get()) {
                    throw new CancellationException("request " + requestId + " was cancelled during its prefill");
                }
                int first = sampler.sample(logits, sampling, seed, TokenHistory.ofPrompt(promptTokens));
                return new Prefilled(sequence, first, cached, (startedAt - submittedAt) / 1000, (System.nanoTime() - startedAt) / 1000);
            } catch (RuntimeException e) {
                pool.free(sequence);
                throw e;
            }
        }, executor).whenComplete((result, error) -> {
            active.remove(requestId, cancelled);
            inflight.decrementAndGet();
            queuedPromptTokens.addAndGet(-promptTokens.length);
        });
    }

    /**
     * Takes the prompt's cached prefix and reserves blocks for the rest, waiting for pulls to free blocks.
     *
     * @return the prompt tokens found in the prefix cache
     */
    private int reserve(KvSequence sequence, int[] prompt, AtomicBoolean cancelled) {
        long deadline = System.nanoTime() + kvWaitNanos;
        while (true) {
            int cached = pool.reuseCachedPrefix(sequence, prompt);
            if (pool.reserve(sequence, prompt.length)) {
                return cached;
            }
            pool.free(sequence);
            if (cancelled.get()) {
                throw new CancellationException("request was cancelled while waiting for KV blocks");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new KvCapacityException("no KV blocks for " + prompt.length + " prompt tokens: " + pool, 0);
            }
            LockSupport.parkNanos(KV_POLL_NANOS);
        }
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

    /** Prompt tokens of the requests waiting for or in the engine. */
    public int promptTokens() {
        return queuedPromptTokens.get();
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
