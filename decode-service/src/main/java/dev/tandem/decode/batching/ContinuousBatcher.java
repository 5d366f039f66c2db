package dev.tandem.decode.batching;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.tandem.decode.config.DecodeConfig;
import dev.tandem.model.engine.LlamaEngine;
import dev.tandem.model.kv.KvBlockPool;
import dev.tandem.model.kv.KvSequence;
import dev.tandem.model.sampling.Sampler;
import dev.tandem.model.sampling.TokenHistory;
import dev.tandem.model.worker.FinishRule;
import dev.tandem.model.worker.WorkerRuntime;
import io.grpc.Status;

/**
 * Continuous batching: one loop thread owns the engine; between two steps it admits waiting sequences (running
 * their prompt when they bring one) and drops finished or cancelled ones, and each step advances every running
 * sequence by one token with the weights read once for the whole batch.
 *
 * <p>A sequence is admitted only once the KV pool can hold its prompt plus {@code max_tokens}, so a running
 * sequence never runs out of blocks; while the pool is full, new sequences wait for running ones to finish.
 */
@ApplicationScoped
public class ContinuousBatcher {

    private static final Logger LOG = Logger.getLogger(ContinuousBatcher.class);

    private static final class Running {
        final SequenceRequest request;
        final KvSequence kv;
        /** Prompt and generated tokens: penalties and the step index of the next draw. */
        final TokenHistory history;
        int lastToken;

        Running(SequenceRequest request, KvSequence kv, TokenHistory history, int firstToken) {
            this.request = request;
            this.kv = kv;
            this.history = history;
            this.lastToken = firstToken;
            history.add(firstToken);
        }
    }

    private final LlamaEngine engine;
    private final KvBlockPool pool;
    private final Sampler sampler = new Sampler();
    private final FinishRule finishRule;
    private final int contextLength;
    private final int maxBatchSize;
    private final LinkedBlockingDeque<SequenceRequest> waiting = new LinkedBlockingDeque<>();
    private final Map<String, SequenceRequest> byRequestId = new ConcurrentHashMap<>();
    /** Touched by the loop thread only. */
    private final List<Running> running = new ArrayList<>();
    private volatile int runningCount;
    private volatile boolean accepting = true;
    private volatile boolean stopped;
    private final Thread loop;

    public ContinuousBatcher(WorkerRuntime runtime, DecodeConfig config) {
        this.engine = runtime.engine();
        this.pool = runtime.pool();
        this.contextLength = runtime.model().config().contextLength();
        this.finishRule = new FinishRule(runtime.model().tokenizer(), contextLength);
        this.maxBatchSize = config.decode().maxBatchSize();
        this.loop = Thread.ofPlatform().name("decode-batch-loop").start(this::run);
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
            request.sink.fail(Status.UNAVAILABLE.withDescription("decode worker is shutting down").asRuntimeException());
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
        return waiting.size();
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    private void run() {
        while (!stopped) {
            try {
                admit();
                reapCancelled();
                runningCount = running.size();
                if (running.isEmpty()) {
                    SequenceRequest next = waiting.poll(50, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        waiting.addFirst(next);
                    }
                    continue;
                }
                step();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("Decode step failed; failing the running sequences", e);
                Status status = Status.INTERNAL.withDescription("decode failed: " + e.getMessage());
                for (Running sequence : running) {
                    end(sequence, sink -> sink.fail(status.asRuntimeException()));
                }
                running.clear();
            }
        }
        failAll(Status.UNAVAILABLE.withDescription("decode worker stopped"));
    }

    private void admit() {
        while (running.size() < maxBatchSize) {
            SequenceRequest request = waiting.peek();
            if (request == null) {
                return;
            }
            if (request.cancelled) {
                waiting.poll();
                release(request);
                request.sink.fail(Status.CANCELLED.withDescription("request cancelled").asRuntimeException());
                continue;
            }
            KvSequence kv = request.prefilled != null ? request.prefilled : pool.newSequence();
            int needed = Math.min(contextLength, request.prompt.length + request.sampling.maxTokens());
            if (!pool.reserve(kv, needed)) {
                if (!running.isEmpty()) {
                    return; // blocks come back as running sequences finish
                }
                waiting.poll();
                pool.free(kv);
                byRequestId.remove(request.requestId);
                request.sink.fail(Status.RESOURCE_EXHAUSTED.withDescription("the KV cache cannot hold " + needed
                        + " tokens (" + pool.totalBlocks() + " blocks of " + pool.blockSize() + ")").asRuntimeException());
                continue;
            }
            waiting.poll();
            start(request, kv);
        }
    }

    private void start(SequenceRequest request, KvSequence kv) {
        TokenHistory history = TokenHistory.ofPrompt(request.prompt);
        if (request.prefilled != null) {
            request.sink.started((System.nanoTime() - request.submittedAtNanos) / 1000, 0);
            running.add(new Running(request, kv, history, request.firstToken));
            return;
        }
        long startedAt = System.nanoTime();
        float[] logits;
        try {
            logits = engine.prefill(kv, request.prompt);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Prefill of request %s failed", request.requestId);
            pool.free(kv);
            byRequestId.remove(request.requestId);
            request.sink.fail(Status.INTERNAL.withDescription("prefill failed: " + e.getMessage()).asRuntimeException());
            return;
        }
        long prefillMicros = (System.nanoTime() - startedAt) / 1000;
        request.sink.started((startedAt - request.submittedAtNanos) / 1000, prefillMicros);
        int token = sampler.sample(logits, request.sampling, request.seed, history);
        Running sequence = new Running(request, kv, history, token);
        request.sink.token(token, prefillMicros, 1);
        var finished = finishRule.check(token, 1, kv.length() + 1, request.sampling);
        if (finished.isPresent()) {
            end(sequence, sink -> sink.finish(finished.get()));
        } else {
            running.add(sequence);
        }
    }

    private void step() {
        int batch = running.size();
        List<KvSequence> sequences = new ArrayList<>(batch);
        int[] tokens = new int[batch];
        for (int i = 0; i < batch; i++) {
            sequences.add(running.get(i).kv);
            tokens[i] = running.get(i).lastToken;
        }
        long startedAt = System.nanoTime();
        float[][] logits = engine.decodeStep(sequences, tokens);
        long stepMicros = (System.nanoTime() - startedAt) / 1000;
        Iterator<Running> it = running.iterator();
        for (int i = 0; it.hasNext(); i++) {
            Running sequence = it.next();
            SequenceRequest request = sequence.request;
            int token = sampler.sample(logits[i], request.sampling, request.seed, sequence.history);
            sequence.history.add(token);
            sequence.lastToken = token;
            request.sink.token(token, stepMicros, batch);
            var finished = finishRule.check(token, sequence.history.generated(), sequence.kv.length() + 1, request.sampling);
            if (finished.isPresent()) {
                it.remove();
                end(sequence, sink -> sink.finish(finished.get()));
            }
        }
    }

    private void reapCancelled() {
        for (Iterator<Running> it = running.iterator(); it.hasNext();) {
            Running sequence = it.next();
            if (sequence.request.cancelled) {
                it.remove();
                LOG.infof("Request %s cancelled after %d tokens; freeing its KV", sequence.request.requestId,
                        sequence.history.generated());
                end(sequence, sink -> sink.fail(Status.CANCELLED.withDescription("request cancelled").asRuntimeException()));
            }
        }
    }

    private void end(Running sequence, java.util.function.Consumer<TokenSink> last) {
        pool.free(sequence.kv);
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

    private void failAll(Status status) {
        for (Running sequence : running) {
            end(sequence, sink -> sink.fail(status.asRuntimeException()));
        }
        running.clear();
        runningCount = 0;
        for (SequenceRequest request; (request = waiting.poll()) != null;) {
            release(request);
            request.sink.fail(status.asRuntimeException());
        }
    }

    /** Stops admitting new sequences and lets running and waiting ones finish, for at most {@code timeout}. */
    public void drain(Duration timeout) {
        accepting = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        while ((runningCount > 0 || !waiting.isEmpty()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (runningCount > 0 || !waiting.isEmpty()) {
            LOG.warnf("Shutdown: cancelling %d running and %d waiting sequences", runningCount, waiting.size());
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
