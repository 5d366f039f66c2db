package dev.tandem.decode.batching;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.tandem.decode.config.DecodeConfig;
import dev.tandem.engine.LlamaEngine;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.engine.sampling.LogProbs;
import dev.tandem.engine.sampling.Sampler;
import dev.tandem.engine.sampling.SamplingParams;
import dev.tandem.worker.FinishRule;
import dev.tandem.worker.WorkerRuntime;

/**
 * Continuous batching: one loop thread owns the engine. Each iteration runs one decoding step that advances every
 * running sequence by one token, with the weights read once for the whole batch, then prefills up to
 * {@code prefill-chunk-tokens} prompt tokens of admitted sequences, so a long prompt is prefilled a chunk per
 * iteration while the running streams keep producing tokens. Between iterations it admits waiting sequences and
 * drops finished or cancelled ones.
 *
 * <p>Which sequences run, and with which KV blocks, is the {@link Scheduler}'s decision; which requests exist, for
 * cancellation, the {@link RequestRegistry}'s. This class runs the engine, samples and tells each sequence's
 * {@link TokenSink}.
 */
@ApplicationScoped
public class ContinuousBatcher {

    private static final Logger LOG = Logger.getLogger(ContinuousBatcher.class);
    private final LlamaEngine engine;
    private final Scheduler scheduler;
    private final RequestRegistry registry = new RequestRegistry();
    private final Sampler sampler = new Sampler();
    private final FinishRule finishRule;
    private final int prefillChunkTokens;
    /** Set by {@link #drain} when its grace period is over: the loop hands every sequence back, then clears it. */
    private volatile boolean handOver;
    private volatile boolean stopped;
    private final Thread loop;

    public ContinuousBatcher(WorkerRuntime runtime, DecodeConfig config) {
        this.engine = runtime.engine();
        int contextLength = runtime.model().config().contextLength();
        this.scheduler = new Scheduler(runtime.pool(), config.maxBatchSize(), contextLength);
        this.finishRule = new FinishRule(runtime.model().tokenizer(), contextLength);
        this.prefillChunkTokens = config.prefillChunkTokens();
        if (prefillChunkTokens <= 0) {
            throw new IllegalArgumentException("tandem.decode.prefill-chunk-tokens must be positive, not " + prefillChunkTokens);
        }
        this.loop = Thread.ofPlatform().name("decode-batch-loop").start(this::run);
    }

    /** Empty when the pool can hold the request once it is alone; otherwise why it is refused (it would wait forever). */
    public Optional<SequenceFailure> checkFits(int promptLength, SamplingParams sampling) {
        return scheduler.checkFits(promptLength, sampling);
    }

    /**
     * Makes a sequence known, so that it can be cancelled, before it can run (while its KV is in transfer);
     * false when the worker is shutting down and takes no new work.
     */
    public boolean register(SequenceRequest request) {
        return registry.add(request);
    }

    /** Queues a sequence; its sink hears of every token, then of the end. */
    public void submit(SequenceRequest request) {
        if (!registry.add(request)) {
            release(request);
            request.sink.fail(SequenceFailure.shuttingDown());
            return;
        }
        scheduler.submit(request);
    }

    /** Cancels a request's sequence wherever it is; true when this worker had one. */
    public boolean cancel(String requestId) {
        return registry.cancel(requestId);
    }

    /** Forgets a registered sequence that will not be submitted, freeing what it holds. */
    public void release(SequenceRequest request) {
        scheduler.free(request);
        registry.remove(request);
    }

    public int runningCount() {
        return scheduler.runningCount();
    }

    public int waitingCount() {
        return scheduler.waitingCount();
    }

    /** Prompt tokens this worker has still to prefill (Dynamo's {@code active_prefill_tokens}). */
    public int pendingPrefillTokens() {
        return scheduler.pendingPrefillTokens();
    }

    /** Sequences preempted for lack of KV blocks since the start. */
    public long preemptions() {
        return scheduler.preemptions();
    }

    public int maxBatchSize() {
        return scheduler.maxBatchSize();
    }

    private void run() {
        while (!stopped) {
            try {
                if (handOver) {
                    failAll(SequenceFailure.handedOver());
                    handOver = false;
                }
                reapCancelled();
                admitTransferred();
                boolean worked = scheduler.hasRunning();
                if (worked) {
                    step();
                }
                worked |= prefillChunk();
                scheduler.publishGauges();
                if (!worked) {
                    scheduler.awaitWork(); // nothing could run: wait for a request, or for blocks another thread frees
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("Decode step failed; failing the running sequences", e);
                SequenceFailure failure = SequenceFailure.engineFailed("decode", e);
                scheduler.takeAdmitted().forEach(sequence -> fail(sequence, failure));
            }
        }
        failAll(SequenceFailure.stopped());
    }

    private void reapCancelled() {
        for (Sequence sequence : scheduler.takeCancelled()) {
            LOG.infof("Request %s cancelled after %d tokens; freeing its KV", sequence.request.requestId,
                    sequence.generatedCount());
            fail(sequence, SequenceFailure.cancelled());
        }
    }

    private void admitTransferred() {
        Scheduler.Admitted admitted = scheduler.admitTransferred();
        for (SequenceRequest request : admitted.cancelled()) {
            release(request);
            request.sink.fail(SequenceFailure.cancelled());
        }
        for (Sequence sequence : admitted.joined()) {
            sequence.request.sink.started((System.nanoTime() - sequence.request.submittedAtNanos) / 1000, 0, 0, 0);
        }
    }

    /** Prefills up to the chunk budget; false when there was nothing to prefill. */
    private boolean prefillChunk() {
        int budget = prefillChunkTokens;
        boolean worked = false;
        Sequence sequence;
        while (budget > 0 && (sequence = scheduler.nextToPrefill()) != null) {
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
                scheduler.leave(sequence);
                fail(sequence, SequenceFailure.engineFailed("prefill", e));
                continue;
            }
            long micros = (System.nanoTime() - startedAt) / 1000;
            sequence.prefillMicros += micros;
            budget -= n;
            if (kv.length() == sequence.context.length) {
                scheduler.prefilled(sequence);
                firstTokenAfterPrefill(sequence, logits, micros);
            }
        }
        return worked;
    }

    /** Samples the token after a finished prefill: a new request's first, or a recomputed one's next. */
    private void firstTokenAfterPrefill(Sequence sequence, float[] logits, long micros) {
        SequenceRequest request = sequence.request;
        if (sequence.generatedCount() == 0) {
            int cached = sequence.cachedTokens;
            request.sink.started(sequence.queueMicros, sequence.prefillMicros, request.prompt.length - cached, cached);
        }
        if (!sampleAndEmit(sequence, logits, micros, 1)) {
            scheduler.run(sequence);
        }
    }

    /** One decoding step of the running batch, once the scheduler has reserved the blocks it writes. */
    private void step() {
        if (!scheduler.reserveNextPositions()) {
            return;
        }
        List<Sequence> batch = scheduler.running();
        List<KvSequence> sequences = new ArrayList<>(batch.size());
        int[] tokens = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            sequences.add(batch.get(i).kv);
            tokens[i] = batch.get(i).lastToken();
        }
        long startedAt = System.nanoTime();
        float[][] logits = engine.decodeStep(sequences, tokens);
        long stepMicros = (System.nanoTime() - startedAt) / 1000;
        for (int i = 0; i < batch.size(); i++) {
            sampleAndEmit(batch.get(i), logits[i], stepMicros, batch.size());
        }
    }

    /** Samples a sequence's next token and streams it; true, the sequence having left, when it was its last. */
    private boolean sampleAndEmit(Sequence sequence, float[] logits, long stepMicros, int batchSize) {
        SequenceRequest request = sequence.request;
        int token = sampler.sample(logits, request.sampling, request.seed, sequence.history, request.constraint);
        if (request.constraint != null) {
            request.constraint.accept(token);
        }
        sequence.generated(token);
        int top = request.topLogprobs();
        // the sampler left the penalised logits in the array: the distribution logprobs are reported from
        request.sink.token(token, top < 0 ? null : LogProbs.of(logits, token, top), stepMicros, batchSize);
        var finished = finishRule.check(token, sequence.generatedCount(), sequence.kv.length() + 1, request.sampling,
                request.constraint);
        if (finished.isEmpty()) {
            return false;
        }
        scheduler.leave(sequence);
        registry.remove(request);
        request.sink.finish(finished.get());
        return true;
    }

    /** Ends the stream of a sequence that already left the scheduler. */
    private void fail(Sequence sequence, SequenceFailure failure) {
        registry.remove(sequence.request);
        sequence.request.sink.fail(failure);
    }

    private void failAll(SequenceFailure failure) {
        scheduler.takeAll().forEach(sequence -> fail(sequence, failure));
        scheduler.publishGauges();
        for (SequenceRequest request : scheduler.takeWaiting()) {
            registry.remove(request);
            request.sink.fail(failure);
        }
    }

    /**
     * Stops admitting new sequences (they are refused with UNAVAILABLE, so the frontend goes elsewhere) and lets
     * running and waiting ones finish for at most {@code timeout}; then hands the rest back, failing them with
     * UNAVAILABLE so that the frontend migrates them, and frees their KV.
     */
    public void drain(Duration timeout) {
        registry.close();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (busy() && System.nanoTime() < deadline) {
            pause();
        }
        if (busy()) {
            LOG.infof("Drain: grace period over; handing %d running and %d waiting sequences back for migration",
                    runningCount(), waitingCount());
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
        return runningCount() > 0 || waitingCount() > 0;
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
        registry.close();
        stopped = true;
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
