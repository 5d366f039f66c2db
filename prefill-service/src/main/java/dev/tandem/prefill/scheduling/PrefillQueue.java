package dev.tandem.prefill.scheduling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.tandem.engine.KvCapacityException;
import dev.tandem.engine.LlamaEngine;
import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvReservation;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.engine.sampling.LogProbs;
import dev.tandem.engine.sampling.Sampler;
import dev.tandem.engine.sampling.TokenConstraint;
import dev.tandem.engine.sampling.SamplingParams;
import dev.tandem.engine.sampling.TokenHistory;
import dev.tandem.protocol.ChoiceIds;
import dev.tandem.worker.WorkerRuntime;
import dev.tandem.prefill.config.PrefillConfig;

/**
 * Runs prompts through the engine in arrival order, on one engine thread: the prompts waiting when the thread is
 * free are prefilled together, up to {@code tandem.prefill.max-batch-tokens} tokens, so concurrent short prompts
 * share the weight reads; only what the prefix cache does not hold is computed. A request cancelled while it
 * waits is dropped without touching the engine; one cancelled while it runs has its KV freed as soon as the
 * engine is done with it.
 */
@ApplicationScoped
public class PrefillQueue {

    private static final Logger LOG = Logger.getLogger(PrefillQueue.class);

    /** How one choice starts: its first token, the constraint that token advanced (null: none), and its logprobs. */
    public record FirstToken(int token, TokenConstraint constraint, LogProbs logprobs) {
    }

    /**
     * The KV of a prompt, the first token of each of its choices sampled after it, and how many prompt tokens came
     * from the prefix cache.
     */
    public record Prefilled(KvSequence sequence, List<FirstToken> choices, int cachedTokens, long queueMicros,
            long prefillMicros) {

        /** Choice 0's first token. */
        public int firstToken() {
            return choices.getFirst().token();
        }
    }

    /** A request waiting for the engine: {@code constraints} holds one entry per choice, null for none. */
    private record Pending(String requestId, int[] prompt, SamplingParams sampling, long seed, TokenConstraint[] constraints,
            int topLogprobs, int stepOffset, long submittedAt, AtomicBoolean cancelled, CompletableFuture<Prefilled> result) {
    }

    /** A request admitted to a batch: its sequence holds the cached prefix and blocks for the rest. */
    private record Admitted(Pending request, KvSequence sequence, int cached) {
    }

    private record Active(AtomicBoolean cancelled, int choices) {
    }

    private final LlamaEngine engine;
    private final KvBlockPool pool;
    private final Sampler sampler = new Sampler();
    private final int maxBatchTokens;
    private final LinkedBlockingDeque<Pending> waiting = new LinkedBlockingDeque<>();
    /** Requests waiting for or in the engine: their cancelled flag and how many choices they have. */
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicInteger queuedPromptTokens = new AtomicInteger();
    /** Waits for KV blocks as long as a handle lives: by then every handle held now has been pulled or has expired. */
    private final KvReservation reservation;
    private final Thread loop;
    private volatile boolean stopped;

    public PrefillQueue(WorkerRuntime runtime, PrefillConfig config) {
        this.engine = runtime.engine();
        this.pool = runtime.pool();
        this.reservation = new KvReservation(pool, config.kvHandleTimeout());
        this.maxBatchTokens = config.maxBatchTokens();
        if (maxBatchTokens <= 0) {
            throw new IllegalArgumentException("tandem.prefill.max-batch-tokens must be positive, not " + maxBatchTokens);
        }
        this.loop = Thread.ofPlatform().name("prefill-engine").start(this::run);
    }

    /**
     * Prefills a prompt, waiting while the KV pool is full of handles not yet pulled; completes with
     * {@link KvCapacityException} when the pool still cannot hold the prompt after that, and with
     * {@link CancellationException} when the request was cancelled first.
     */
    public CompletableFuture<Prefilled> submit(String requestId, int[] promptTokens, SamplingParams sampling, long seed) {
        return submit(requestId, promptTokens, sampling, seed, new TokenConstraint[1], -1, 0);
    }

    /**
     * As {@link #submit(String, int[], SamplingParams, long)}, for {@code constraints.length} choices sharing the
     * prompt: choice i's first token is drawn from the same logits with seed {@code seed + i} (what a lone request
     * with that seed would draw), among the tokens its constraint allows (null: any).
     *
     * @param constraints one per choice, each advanced by its choice's first token; null entries for none
     * @param topLogprobs top entries to return with the first token's logprob, -1 for no logprobs
     * @param stepOffset  for a migrated request, how many of the prompt's last tokens were generated for it before:
     *                    the first token is sampled as the next step of that request (see {@link TokenHistory#resumed})
     */
    public CompletableFuture<Prefilled> submit(String requestId, int[] promptTokens, SamplingParams sampling, long seed,
            TokenConstraint[] constraints, int topLogprobs, int stepOffset) {
        if (constraints.length < 1) {
            throw new IllegalArgumentException("a prompt is prefilled for at least one choice");
        }
        Active entry = new Active(new AtomicBoolean(), constraints.length);
        AtomicBoolean cancelled = entry.cancelled();
        CompletableFuture<Prefilled> result = new CompletableFuture<>();
        active.put(requestId, entry);
        inflight.incrementAndGet();
        queuedPromptTokens.addAndGet(promptTokens.length);
        result.whenComplete((prefilled, error) -> {
            active.remove(requestId, entry);
            inflight.decrementAndGet();
            queuedPromptTokens.addAndGet(-promptTokens.length);
        });
        if (stopped) {
            result.completeExceptionally(new CancellationException("the prefill worker is stopping"));
        } else {
            waiting.add(new Pending(requestId, promptTokens, sampling, seed, constraints, topLogprobs, stepOffset,
                    System.nanoTime(), cancelled, result));
        }
        return result;
    }

    /**
     * Cancels the request waiting for or in the engine that {@code id} names (its own id or one of its choices');
     * true when there was one.
     */
    public boolean cancel(String id) {
        boolean found = false;
        for (var entry : active.entrySet()) {
            if (ChoiceIds.belongsTo(id, entry.getKey(), entry.getValue().choices())) {
                entry.getValue().cancelled().set(true);
                found = true;
            }
        }
        return found;
    }

    public int inflight() {
        return inflight.get();
    }

    /** Prompt tokens of the requests waiting for or in the engine. */
    public int promptTokens() {
        return queuedPromptTokens.get();
    }

    private void run() {
        while (!stopped) {
            try {
                List<Admitted> batch = admit(waiting.take());
                if (!batch.isEmpty()) {
                    prefill(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("Prefill loop failed", e);
            }
        }
        for (Pending pending; (pending = waiting.poll()) != null;) {
            pending.result().completeExceptionally(new CancellationException("the prefill worker stopped"));
        }
    }

    /**
     * The first request (waiting for blocks if it must), then the requests behind it while their tokens fit the
     * batch and the pool holds them now; a request that does not fit goes back to the head of the queue.
     */
    private List<Admitted> admit(Pending first) {
        List<Admitted> batch = new ArrayList<>();
        Admitted admitted = reserve(first, true);
        if (admitted == null) {
            return batch;
        }
        batch.add(admitted);
        int tokens = first.prompt().length - admitted.cached();
        for (Pending next; (next = waiting.peek()) != null && tokens + next.prompt().length <= maxBatchTokens;) {
            waiting.poll();
            Admitted more = reserve(next, false);
            if (more == null) {
                if (!next.result().isDone()) {
                    waiting.addFirst(next);
                }
                break;
            }
            batch.add(more);
            tokens += next.prompt().length - more.cached();
        }
        return batch;
    }

    /**
     * Takes the prompt's cached prefix and reserves blocks for the rest; with {@code wait}, waits for pulls to free
     * blocks. Null when it could not (the request is then failed, or left waiting when {@code wait} is false).
     */
    private Admitted reserve(Pending request, boolean wait) {
        if (request.cancelled().get()) {
            request.result().completeExceptionally(
                    new CancellationException("request " + request.requestId() + " was cancelled before its prefill ran"));
            return null;
        }
        KvSequence sequence = pool.newSequence();
        if (!wait) {
            return reservation.tryPrompt(sequence, request.prompt()) ? new Admitted(request, sequence, sequence.length()) : null;
        }
        switch (reservation.awaitPrompt(sequence, request.prompt(), request.cancelled()::get)) {
            case RESERVED -> {
                return new Admitted(request, sequence, sequence.length());
            }
            case CANCELLED -> request.result().completeExceptionally(
                    new CancellationException("request was cancelled while waiting for KV blocks"));
            case TIMED_OUT -> request.result().completeExceptionally(new KvCapacityException(
                    "no KV blocks for " + request.prompt().length + " prompt tokens: " + pool, 0));
        }
        return null;
    }

    /** One engine pass over the batch, then each request's first token. */
    private void prefill(List<Admitted> batch) {
        long startedAt = System.nanoTime();
        List<KvSequence> sequences = batch.stream().map(Admitted::sequence).toList();
        List<int[]> rest = batch.stream()
                .map(a -> Arrays.copyOfRange(a.request().prompt(), a.cached(), a.request().prompt().length)).toList();
        float[][] logits;
        try {
            logits = engine.prefill(sequences, rest);
        } catch (RuntimeException e) {
            sequences.forEach(pool::free);
            batch.forEach(a -> a.request().result().completeExceptionally(e));
            return;
        }
        long prefillMicros = (System.nanoTime() - startedAt) / 1000;
        for (int i = 0; i < batch.size(); i++) {
            Admitted admitted = batch.get(i);
            Pending request = admitted.request();
            if (request.cancelled().get()) {
                pool.free(admitted.sequence());
                request.result().completeExceptionally(
                        new CancellationException("request " + request.requestId() + " was cancelled during its prefill"));
                continue;
            }
            try {
                request.result().complete(new Prefilled(admitted.sequence(), firstTokens(request, logits[i]),
                        admitted.cached(), (startedAt - request.submittedAt()) / 1000, prefillMicros));
            } catch (RuntimeException e) {
                pool.free(admitted.sequence());
                request.result().completeExceptionally(e);
            }
        }
    }

    /** Each choice's first token, drawn from the prompt's last logits as a lone request with its seed would draw it. */
    private List<FirstToken> firstTokens(Pending request, float[] logits) {
        int choices = request.constraints().length;
        TokenHistory history = TokenHistory.resumed(request.prompt(), request.stepOffset());
        List<FirstToken> firsts = new ArrayList<>(choices);
        for (int c = 0; c < choices; c++) {
            // penalties and constraints change the logits in place: each choice but the last works on a copy
            float[] own = c == choices - 1 ? logits : logits.clone();
            TokenConstraint constraint = request.constraints()[c];
            int first = sampler.sample(own, request.sampling(), request.seed() + c, history, constraint);
            if (constraint != null) {
                constraint.accept(first);
            }
            LogProbs logprobs = request.topLogprobs() < 0 ? null
                    : LogProbs.of(own, first, request.topLogprobs()); // the logits after penalties
            firsts.add(new FirstToken(first, constraint, logprobs));
        }
        return firsts;
    }

    @PreDestroy
    void stop() {
        stopped = true;
        loop.interrupt();
    }
}
