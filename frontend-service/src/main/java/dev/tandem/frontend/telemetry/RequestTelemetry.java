package dev.tandem.frontend.telemetry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import dev.tandem.frontend.generation.RequestListener;
import dev.tandem.frontend.workers.WorkerErrors;
import dev.tandem.telemetry.DynamoSpanProcessor;
import dev.tandem.telemetry.LifecycleLog;
import dev.tandem.telemetry.RequestIds;
import dev.tandem.telemetry.SpanFields;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/**
 * One inference request at the frontend, from handler entry until its response is finished, failed or abandoned
 * by its client: the request metrics, the {@code http-request} span's request fields, and Dynamo's lifecycle
 * lines ({@code request received}, {@code request completed}, {@code request cancelled}). It ends once.
 * Token callbacks arrive one at a time (from the request's token stream); the end may race them.
 */
public final class RequestTelemetry implements RequestListener {

    private static final Logger LOG = Logger.getLogger(RequestTelemetry.class);

    private final FrontendMetrics metrics;
    private final String endpoint;
    private final String requestType;
    private final String requestId;
    private final String xRequestId;
    private final Span span;
    private final long startedAt = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean queued = new AtomicBoolean(true);
    private volatile int inputTokens;
    private volatile long busyNanos;
    private volatile long detokenizeNanos;
    private volatile long firstTokenAt;
    private volatile long lastTokenAt;
    private volatile int outputTokens;
    private volatile int cachedTokens;
    /** The worker whose prompt run produced the first token, and its type; then the decode worker streaming. */
    private volatile String firstTokenWorker;
    private volatile String firstTokenWorkerType;
    private volatile String decodeWorker;
    private volatile long dispatchedAt;

    RequestTelemetry(FrontendMetrics metrics, String endpoint, String requestType, String requestId, String xRequestId) {
        this.metrics = metrics;
        this.endpoint = endpoint;
        this.requestType = requestType;
        this.requestId = requestId;
        this.xRequestId = xRequestId;
        this.span = Span.current(); // the http-request span: this runs in the resource method
        span.setAttribute(SpanFields.REQUEST_ID, requestId);
        if (xRequestId != null) {
            span.setAttribute(SpanFields.X_REQUEST_ID, xRequestId);
        }
        span.setAttribute(SpanFields.MODEL, metrics.model());
        metrics.inflight.incrementAndGet();
        metrics.queued.incrementAndGet();
        log(Logger.Level.INFO, "request received", Map.of());
    }

    /** The request's {@code http-request} span. */
    public Span span() {
        return span;
    }

    public String requestId() {
        return requestId;
    }

    /** The chat template is rendered, in {@code nanos}. */
    @Override
    public void templated(long nanos) {
        busyNanos += nanos;
        metrics.templateSeconds.recordNanos(nanos);
    }

    /** The prompt is rendered and tokenized: its length, and the time the tokenizer took. */
    @Override
    public void prepared(int promptTokens, long tokenizeNanos) {
        inputTokens = promptTokens;
        busyNanos += tokenizeNanos;
        metrics.tokenized(tokenizeNanos);
        metrics.tokenizeSeconds.recordNanos(tokenizeNanos);
        metrics.stageDuration.labels("preprocess").recordNanos(System.nanoTime() - startedAt);
        span.setAttribute(SpanFields.INPUT_TOKENS, (long) promptTokens);
    }

    /** Time the frontend spent computing for the request (rendering, detokenizing). */
    public void busy(long nanos) {
        busyNanos += nanos;
    }

    /** Time spent detokenizing this request's tokens. */
    public void detokenized(long nanos) {
        detokenizeNanos += nanos;
        busyNanos += nanos;
    }

    @Override
    public void dispatched(long routingNanos) {
        if (dispatchedAt == 0) {
            dispatchedAt = System.nanoTime();
            metrics.stageDuration.labels("route").recordNanos(routingNanos);
        }
    }

    @Override
    public void prefillWorker(String workerId) {
        span.setAttribute(SpanFields.PREFILL_WORKER_ID, workerId);
        firstTokenWorker = workerId;
        firstTokenWorkerType = WorkerMetrics.PREFILL;
    }

    @Override
    public void decodeWorker(String workerId, boolean aggregated) {
        if (decodeWorker != null) {
            metrics.migrated(); // the worker chosen before could not be reached
        }
        span.setAttribute(SpanFields.DECODE_WORKER_ID, workerId);
        decodeWorker = workerId;
        if (aggregated) {
            firstTokenWorker = workerId;
            firstTokenWorkerType = WorkerMetrics.DECODE;
        }
    }

    @Override
    public void migrating(int attempt, int generatedTokens, String reason) {
        if (generatedTokens > 0) {
            metrics.migratedOngoing();
        } else {
            metrics.migrated();
        }
        decodeWorker = null; // the next decode worker is the migration's, not a failover's
        span.addEvent("migration", io.opentelemetry.api.common.Attributes.of(
                io.opentelemetry.api.common.AttributeKey.longKey("migration.attempt"), (long) attempt,
                io.opentelemetry.api.common.AttributeKey.longKey("migration.generated_tokens"), (long) generatedTokens,
                io.opentelemetry.api.common.AttributeKey.stringKey("migration.reason"), reason));
        log(Logger.Level.INFO, "request migrating", Map.of("attempt", attempt, "generated_tokens", generatedTokens,
                "reason", reason));
    }

    @Override
    public void migrationMaxSeqLenExceeded(int sequenceLength) {
        metrics.migrationMaxSeqLenExceeded();
        span.addEvent("migration_max_seq_len_exceeded", io.opentelemetry.api.common.Attributes.of(
                io.opentelemetry.api.common.AttributeKey.longKey("sequence_length"), (long) sequenceLength));
    }

    /**
     * A chunk of {@code count} tokens arrived from the workers; the first says how many prompt tokens the worker
     * that ran the prompt found in its prefix cache.
     */
    public void tokens(int count, int cachedPromptTokens) {
        if (count <= 0 || ended.get()) {
            return;
        }
        long now = System.nanoTime();
        if (firstTokenAt == 0) {
            firstTokenAt = now;
            cachedTokens = cachedPromptTokens;
            metrics.timeToFirstToken.recordNanos(now - startedAt);
            metrics.inputSequenceTokens.record(inputTokens);
            metrics.cachedTokens.record(cachedPromptTokens);
            if (dispatchedAt != 0) {
                metrics.stageDuration.labels("transport_roundtrip").recordNanos(now - dispatchedAt);
            }
            if (firstTokenWorker != null) {
                metrics.workers.firstToken(firstTokenWorker, firstTokenWorkerType, (now - startedAt) / 1e9, inputTokens);
            }
            leaveQueue();
        } else {
            long perToken = (now - lastTokenAt) / count;
            for (int i = 0; i < count; i++) {
                metrics.interTokenLatency.recordNanos(perToken);
            }
            if (decodeWorker != null) {
                metrics.workers.interTokenLatency(decodeWorker, perToken / 1e9);
            }
        }
        lastTokenAt = now;
        outputTokens += count;
        metrics.tokens(count);
    }

    /** Prompt tokens served from a worker's prefix cache (known with the first token). */
    public int cachedTokens() {
        return cachedTokens;
    }

    public void completed() {
        end("success", "", Logger.Level.INFO, "request completed");
    }

    public void failed(Throwable error) {
        String errorType = FrontendMetrics.errorType(error);
        if (WorkerErrors.isRejection(error)) {
            metrics.rejected(endpoint);
        }
        if (!ended.get()) {
            span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
        }
        end("error", errorType, Logger.Level.ERROR, "request completed");
    }

    /** The client went away before the response was finished. */
    public void clientDisconnected() {
        if (ended.get()) {
            return;
        }
        metrics.cancelled(endpoint, requestType);
        end("error", "cancelled", Logger.Level.WARN, "request cancelled");
    }

    private void leaveQueue() {
        if (queued.compareAndSet(true, false)) {
            metrics.queued.decrementAndGet();
        }
    }

    private void end(String status, String errorType, Logger.Level level, String message) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        long now = System.nanoTime();
        long elapsed = now - startedAt;
        leaveQueue();
        metrics.inflight.decrementAndGet();
        metrics.requestEnded(endpoint, requestType, status, errorType);
        metrics.requestDuration.recordNanos(elapsed);
        int generated = outputTokens;
        if (generated > 0) {
            metrics.outputSequenceTokens.record(generated);
            metrics.detokenized(detokenizeNanos / 1e6 / generated);
            metrics.detokenizeMicros.inc(detokenizeNanos / 1e3);
            metrics.detokenizedTokens.inc(generated);
            metrics.stageDuration.labels("postprocess").recordNanos(detokenizeNanos);
        }
        span.setAttribute(SpanFields.OUTPUT_TOKENS, (long) generated);
        if (firstTokenAt != 0) {
            span.setAttribute(SpanFields.TTFT_MS, SpanFields.millis(firstTokenAt - startedAt));
            span.setAttribute(SpanFields.AVG_ITL_MS,
                    SpanFields.millis(generated > 1 ? (lastTokenAt - firstTokenAt) / (generated - 1) : 0));
        }
        DynamoSpanProcessor.busyIdle(span, busyNanos, elapsed);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", status);
        fields.put("elapsed_ms", elapsed / 1_000_000);
        if (!errorType.isEmpty()) {
            fields.put("error_type", errorType);
            if (!"cancelled".equals(errorType)) {
                fields.put("error_detail", FrontendMetrics.errorDetail(errorType));
            }
        }
        log(level, message, fields);
    }

    private void log(Logger.Level level, String message, Map<String, Object> extra) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("request_id", requestId);
        if (xRequestId != null) {
            fields.put(RequestIds.MDC_KEY, xRequestId);
        }
        fields.put("model", metrics.model());
        fields.put("endpoint", endpoint);
        fields.put("request_type", requestType);
        fields.putAll(extra);
        LifecycleLog.log(LOG, level, message, span, fields);
    }
}
