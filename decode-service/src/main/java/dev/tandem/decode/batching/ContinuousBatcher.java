package dev.tandem.decode.batching;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.tandem.decode.config.DecodeConfig;
import dev.tandem.engine.LlamaEngine;
import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.engine.sampling.Sampler;
import dev.tandem.engine.sampling.SamplingParams;
import dev.tandem.engine.sampling.TokenHistory;
import dev.tandem.worker.FinishRule;
import dev.tandem.worker.WorkerRuntime;
import io.grpc.Status;

/**
 * Continuous batching: one loop thread owns the engine. Each iteration runs one decoding step that advances every
 * running sequence by one token, with the weights read once for the whole batch, then prefills up to
 * {@code prefill-chunk-tokens} prompt tokens of admitted sequences, so a long prompt is prefilled a chunk per
 * iteration while the running streams keep producing tokens. Between iterations it admits waiting sequences and
 * drops finished or cancelled ones.
 *
 * <p>KV is reserved as it is needed (vLLM's scheduler): a sequence is admitted once the pool can hold its prompt
 * (less what the prefix cache already holds), and grows a block at a time while decoding. When a running sequence
 * cannot get its next block, the youngest sequence is preempted: its blocks are freed and it goes back to the front
 * of the queue with its prompt and the tokens generated so far, which are recomputed when it is admitted again
 * (mostly found in the prefix cache) and its stream continues where it stopped. A request that could not fit even
 * an empty pool is refused up front ({@link #checkFits}).
 */
@ApplicationScoped
public class ContinuousBatcher {

    private static final Logger LOG = Logger.getLogger(ContinuousBatcher.class);
    /** How a draining worker's refusals and hand-overs (UNAVAILABLE) describe themselves. */
    public static final String DRAINING = "decode worker is draining";

    /** A sequence the loop has admitted: prefilling, running, or preempted and waiting to be recomputed. */
    private static final class Sequence {
        final SequenceRequest request;
        /** Prompt and generated tokens: penalties and the step index of the next draw. */
        final TokenHistory history;
        /** Tokens generated so far, the first (maybe sampled by a prefill worker) included. */
        int[] generated = new int[16];
        int generatedCount;
        /** Null while preempted. */
        KvSequence kv;
        /** While prefilling: the tokens whose K/V is being computed; their first kv.length() are done. */
        int[] context;
        /** Admission order: the highest is the youngest, preempted first. */
        long admittedAs;
        /** From submission to the first admission; -1 before it. */
        long queueMicros = -1;
        long prefillMicros;
        /** Prompt tokens the prefix cache held when the prompt was last admitted. */
        int cachedTokens;

        Sequence(SequenceRequest request) {
            this.request = request;
            this.history = TokenHistory.resumed(request.prompt, request.stepOffset);
        }

        void generated(int token) {
            if (generatedCount == generated.length) {
                generated = Arrays.copyOf(generated, generatedCount * 2);
            }
            generated[generatedCount++] = token;
            history.add(token);
        }

        int lastToken() {
            return generated[generatedCount - 1];
        }

        /** What a (re)admitted sequence computes: the prompt and every token generated so far. */
        int[] contextToCompute() {
            int[] all = Arrays.copyOf(request.prompt, request.prompt.length + generatedCount);
            System.arraycopy(generated, 0, all, request.prompt.length, generatedCount);
            return all;
        }
    }

    private final LlamaEngine engine;
    private final KvBlockPool pool;
    private final Sampler sampler = new Sampler();
    private final FinishRule finishRule;
    private final int contextLength;
    private final int maxBatchSize;
    private final int prefillChunkTokens;
    private final LinkedBlockingDeque<SequenceRequest> waiting = new LinkedBlockingDeque<>();
    private final Map<String, SequenceRequest> byRequestId = new ConcurrentHashMap<>();
    /** Touched by the loop thread only: admitted sequences being prefilled, oldest first. */
    private final ArrayDeque<Sequence> prefilling = new ArrayDeque<>();
    /** Touched by the loop thread only. */
    private final List<Sequence> running = new ArrayList<>();
    /** Touched by the loop thread only: preempted sequences, next to be admitted first. */
    private final ArrayDeque<Sequence> preempted = new ArrayDeque<>();
    private long admissions;
    private final AtomicLong preemptions = new AtomicLong();
    private volatile int runningCount;
    private volatile int preemptedCount;
    /** Prompt tokens of the sequences being prefilled that are still to compute. */
    private volatile int prefillingTokens;
    private volatile boolean accepting = true;
    /** Set by {@link #drain} when its grace period is over: the loop hands every sequence back, then clears it. */
    private volatile boolean handOver;
    private volatile boolean stopped;
    private final Thread loop;

    public ContinuousBatcher(WorkerRuntime runtime, DecodeConfig config) {
        this.engine = runtime.engine();
        this.pool = runtime.pool();
        this.contextLength = runtime.model().config().contextLength();
        this.finishRule = new FinishRule(runtime.model().tokenizer(), contextLength);
        this.maxBatchSize = config.maxBatchSize();
        this.prefillChunkTokens = config.prefillChunkTokens();
        if (prefillChunkTokens <= 0) {
            throw new IllegalArgumentException("tandem.decode.prefill-chunk-tokens must be positive, not " + prefillChunkTokens);
        }
        this.loop = Thread.ofPlatform().name("decode-batch-loop").start(this::run);
    }

    /**
     * Null when the pool can hold the request once it is alone; otherwise the INVALID_ARGUMENT status that refuses
     * it, since it would wait forever.
     */
    public Status checkFits(int promptLength, SamplingParams sampling) {
        int needed = Math.min(contextLength, promptLength + sampling.maxTokens());
        if (pool.blocksFor(needed) <= pool.totalBlocks()) {
            return null;
        }
        return Status.INVALID_ARGUMENT.withDescription("the prompt (" + promptLength + " tokens) plus max_tokens ("
                + sampling.maxTokens() + ") need " + needed + " tokens of KV cache; this worker holds "
                + pool.totalBlocks() * pool.blockSize() + " (" + pool.totalBlocks() + " blocks of " + pool.blockSize() + ")");
    }

    /**
     * Makes a sequence known, so that it can be cancelled, before it can run (while its KV is in transfer);
     * false when the worker is shutting down and takes no new work.
     */
    public boolean register(SequenceRequest request) {
        if (!accepting) {
            return false;
        }
        byRequestId.put(request.requestId, request);
        return true;
    }

    /** Queues a sequence; its sink hears of every token, then of the end. */
    public void submit(SequenceRequest request) {
        if (!accepting) {
            release(request);
            request.sink.fail(Status.UNAVAILABLE.withDescription(DRAINING).asRuntimeException());
            return;
        }
        byRequestId.put(request.requestId, request);
        waiting.add(request);
    }

    /** Cancels a request's sequence wherever it is; true when this worker had one. */
    public boolean cancel(String requestId) {
        SequenceRequest request = byRequestId.get(requestId);
        if (request == null) {
            return false;
        }
        request.cancel();
        return true;
    }

    public int runningCount() {
        return runningCount;
    }

    public int waitingCount() {
        return waiting.size() + preemptedCount;
    }

    /**
     * Prompt tokens this worker has still to prefill: those of waiting prompts (not of transferred KV) and the rest
     * of the prompts being prefilled (Dynamo's {@code active_prefill_tokens}).
     */
    public int pendingPrefillTokens() {
        int waitingTokens = 0;
        for (SequenceRequest request : waiting) {
            if (request.prefilled == null) {
                waitingTokens += request.prompt.length;
            }
        }
        return waitingTokens + prefillingTokens;
    }

    /** Sequences preempted for lack of KV blocks since the start. */
    public long preemptions() {
        return preemptions.get();
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    private void run() {
        while (!stopped) {
            try {
                if (handOver) {
                    failAll(Status.UNAVAILABLE.withDescription(DRAINING + ": request handed over"));
                    handOver = false;
                }
                reapCancelled();
                admitTransferred();
                boolean worked = !running.isEmpty();
                if (worked) {
                    step();
                }
                worked |= prefillChunk();
                runningCount = running.size() + prefilling.size();
                preemptedCount = preempted.size();
                prefillingTokens = prefilling.stream().mapToInt(p -> p.context.length - p.kv.length()).sum();
                if (!worked) {
                    // nothing could run: wait for a request, or for blocks another thread frees
                    SequenceRequest next = waiting.poll(waiting.isEmpty() && preempted.isEmpty() ? 50 : 1,
                            TimeUnit.MILLISECONDS);
                    if (next != null) {
                        waiting.addFirst(next);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("Decode step failed; failing the running sequences", e);
                Status status = Status.INTERNAL.withDescription("decode failed: " + e.getMessage());
                failAdmitted(status);
            }
        }
        failAll(Status.UNAVAILABLE.withDescription("decode worker stopped"));
    }

    private boolean hasRoom() {
        return running.size() + prefilling.size() < maxBatchSize;
    }

    /**
     * Sequences whose KV arrived prefilled need no blocks to start: they join the batch as soon as there is room,
     * ahead of prompts waiting for blocks (which their KV might be holding). Cancelled requests leave the queue.
     */
    private void admitTransferred() {
        for (Iterator<SequenceRequest> it = waiting.iterator(); it.hasNext();) {
            SequenceRequest request = it.next();
            if (!request.cancelled && (request.prefilled == null || !hasRoom())) {
                continue;
            }
            it.remove();
            if (request.cancelled) {
                release(request);
                request.sink.fail(Status.CANCELLED.withDescription("request cancelled").asRuntimeException());
                continue;
            }
            Sequence sequence = new Sequence(request);
            sequence.kv = request.prefilled;
            sequence.admittedAs = admissions++;
            sequence.generated(request.firstToken);
            request.sink.started((System.nanoTime() - request.submittedAtNanos) / 1000, 0, 0, 0);
            running.add(sequence);
        }
    }

    /**
     * The next sequence to prefill, in order: one in progress, a preempted one, then waiting requests (first come,
     * first served); null when there is none, no room, or the pool cannot hold the next one's prompt yet.
     */
    private Sequence nextToPrefill() {
        if (!prefilling.isEmpty()) {
            return prefilling.peekFirst();
        }
        if (!hasRoom()) {
            return null;
        }
        Sequence sequence = preempted.peekFirst();
        if (sequence == null) {
            SequenceRequest request = waiting.peekFirst();
            if (request == null || request.prefilled != null) {
                return null; // a transferred one still waits for room
            }
            sequence = new Sequence(request);
        }
        int[] context = sequence.contextToCompute();
        KvSequence kv = pool.newSequence();
        int cached = pool.reuseCachedPrefix(kv, context);
        if (!pool.reserve(kv, context.length)) {
            pool.free(kv);
            return null; // blocks come back as running sequences finish or are preempted
        }
        if (sequence == preempted.peekFirst()) {
            preempted.pollFirst();
        } else {
            waiting.pollFirst();
        }
        sequence.kv = kv;
        sequence.context = context;
        sequence.admittedAs = admissions++;
        if (sequence.queueMicros < 0) {
            sequence.queueMicros = (System.nanoTime() - sequence.request.submittedAtNanos) / 1000;
        }
        if (sequence.generatedCount == 0) {
            sequence.cachedTokens = cached;
        }
        prefilling.addLast(sequence);
        return sequence;
    }

    /** Prefills up to the chunk budget; false when there was nothing to prefill. */
    private boolean prefillChunk() {
        int budget = prefillChunkTokens;
        boolean worked = false;
        Sequence sequence;
        while (budget > 0 && (sequence = nextToPrefill()) != null) {
            worked = true;
            KvSequence kv = sequence.kv;
            int from = kv.length();
            int n = Math.min(budget, sequence.context.length - from);
            long startedAt = System.nanoTime();
            float[] logits;
            try {
                logits = engine.prefill(kv, Arrays.copyOfRange(sequence.context, from, from + n));
            } catch (RuntimeException e) {
                LOG.errorf(e, "Prefill of request %s failed", sequence.request.requestId);
                prefilling.remove(sequence);
                end(sequence, sink -> sink.fail(Status.INTERNAL.withDescription("prefill failed: " + e.getMessage())
                        .asRuntimeException()));
                continue;
            }
            long micros = (System.nanoTime() - startedAt) / 1000;
            sequence.prefillMicros += micros;
            budget -= n;
            if (kv.length() == sequence.context.length) {
                prefilling.pollFirst();
                sequence.context = null;
                firstTokenAfterPrefill(sequence, logits, micros);
            }
        }
        return worked;
    }

    /** Samples the token after a finished prefill: a new request's first, or a recomputed one's next. */
    private void firstTokenAfterPrefill(Sequence sequence, float[] logits, long micros) {
        SequenceRequest request = sequence.request;
        if (sequence.generatedCount == 0) {
            int cached = sequence.cachedTokens;
            request.sink.started(sequence.queueMicros, sequence.prefillMicros, request.prompt.length - cached, cached);
        }
        int token = sampler.sample(logits, request.sampling, request.seed, sequence.history);
        sequence.generated(token);
        request.sink.token(token, micros, 1);
        var finished = finishRule.check(token, sequence.generatedCount, sequence.kv.length() + 1, request.sampling);
        if (finished.isPresent()) {
            end(sequence, sink -> sink.finish(finished.get()));
        } else {
            running.add(sequence);
        }
    }

    private void step() {
        if (!reserveNextPositions()) {
            return;
        }
        int batch = running.size();
        List<KvSequence> sequences = new ArrayList<>(batch);
        int[] tokens = new int[batch];
        for (int i = 0; i < batch; i++) {
            sequences.add(running.get(i).kv);
            tokens[i] = running.get(i).lastToken();
        }
        long startedAt = System.nanoTime();
        float[][] logits = engine.decodeStep(sequences, tokens);
        long stepMicros = (System.nanoTime() - startedAt) / 1000;
        Iterator<Sequence> it = running.iterator();
        for (int i = 0; it.hasNext(); i++) {
            Sequence sequence = it.next();
            SequenceRequest request = sequence.request;
            int token = sampler.sample(logits[i], request.sampling, request.seed, sequence.history);
            sequence.generated(token);
            request.sink.token(token, stepMicros, batch);
            var finished = finishRule.check(token, sequence.generatedCount, sequence.kv.length() + 1, request.sampling);
            if (finished.isPresent()) {
                it.remove();
                end(sequence, sink -> sink.finish(finished.get()));
            }
        }
    }

    /**
     * Gives every running sequence the block its next position needs, preempting the youngest sequences while the
     * pool has none; false when no running sequence is left.
     */
    private boolean reserveNextPositions() {
        for (int i = 0; i < running.size();) {
            KvSequence kv = running.get(i).kv;
            if (pool.reserve(kv, kv.length() + 1)) {
                i++;
                continue;
            }
            preempt(youngest());
            i = 0; // the batch changed: check it again from the start (reserving is idempotent)
        }
        return !running.isEmpty();
    }

    private Sequence youngest() {
        Sequence youngest = prefilling.peekLast();
        for (Sequence sequence : running) {
            if (youngest == null || sequence.admittedAs > youngest.admittedAs) {
                youngest = sequence;
            }
        }
        return youngest;
    }

    /** vLLM's recompute preemption: free the sequence's KV and queue it first, to recompute what it had. */
    private void preempt(Sequence sequence) {
        if (!running.remove(sequence)) {
            prefilling.remove(sequence);
        }
        pool.free(sequence.kv);
        sequence.kv = null;
        sequence.context = null;
        preempted.addFirst(sequence);
        preemptions.incrementAndGet();
        LOG.infof("KV cache full: preempted request %s after %d generated tokens; it will be recomputed",
                sequence.request.requestId, sequence.generatedCount);
    }

    private void reapCancelled() {
        reapCancelled(running);
        reapCancelled(prefilling);
        reapCancelled(preempted);
    }

    private void reapCancelled(Collection<Sequence> sequences) {
        for (Iterator<Sequence> it = sequences.iterator(); it.hasNext();) {
            Sequence sequence = it.next();
            if (sequence.request.cancelled) {
                it.remove();
                LOG.infof("Request %s cancelled after %d tokens; freeing its KV", sequence.request.requestId,
                        sequence.generatedCount);
                end(sequence, sink -> sink.fail(Status.CANCELLED.withDescription("request cancelled").asRuntimeException()));
            }
        }
    }

    private void end(Sequence sequence, Consumer<TokenSink> last) {
        if (sequence.kv != null) {
            pool.free(sequence.kv);
        }
        byRequestId.remove(sequence.request.requestId);
        last.accept(sequence.request.sink);
    }

    /** Forgets a registered sequence that will not be submitted, freeing what it holds. */
    public void release(SequenceRequest request) {
        if (request.prefilled != null) {
            pool.free(request.prefilled);
        }
        byRequestId.remove(request.requestId);
    }

    private void failAdmitted(Status status) {
        for (Sequence sequence : running) {
            end(sequence, sink -> sink.fail(status.asRuntimeException()));
        }
        running.clear();
        for (Sequence sequence : prefilling) {
            end(sequence, sink -> sink.fail(status.asRuntimeException()));
        }
        prefilling.clear();
    }

    private void failAll(Status status) {
        failAdmitted(status);
        for (Sequence sequence : preempted) {
            end(sequence, sink -> sink.fail(status.asRuntimeException()));
        }
        preempted.clear();
        runningCount = 0;
        preemptedCount = 0;
        for (SequenceRequest request; (request = waiting.poll()) != null;) {
            release(request);
            request.sink.fail(status.asRuntimeException());
        }
    }

    /**
     * Stops admitting new sequences (they are refused with UNAVAILABLE, so the frontend goes elsewhere) and lets
     * running and waiting ones finish for at most {@code timeout}; then hands the rest back, failing them with
     * UNAVAILABLE so that the frontend migrates them, and frees their KV.
     */
    public void drain(Duration timeout) {
        accepting = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (busy() && System.nanoTime() < deadline) {
            pause();
        }
        if (busy()) {
            LOG.infof("Drain: grace period over; handing %d running and %d waiting sequences back for migration",
                    runningCount, waitingCount());
            handOver = true;
            long handOverDeadline = System.nanoTime() + 2_000_000_000L;
            while (handOver && System.nanoTime() < handOverDeadline) {
                pause();
            }
        } else {
            LOG.info("Drain: every sequence finished");
        }
    }

    private boolean busy() {
        return runningCount > 0 || waitingCount() > 0;
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void stop() {
        accepting = false;
        stopped = true;
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
