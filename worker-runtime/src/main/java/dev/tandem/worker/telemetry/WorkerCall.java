package dev.tandem.worker.telemetry;

import dev.tandem.telemetry.DynamoSpanProcessor;
import dev.tandem.telemetry.LifecycleLog;
import dev.tandem.telemetry.RequestIds;
import dev.tandem.telemetry.SpanFields;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/**
 * One request on a worker's {@code generate} endpoint, from the moment it arrives until it ends one way or
 * another: Dynamo's {@code dynamo_component_*} request metrics, the {@code handle_payload} span's fields (the
 * span is the gRPC server span current when the call starts) and the {@code request received} /
 * {@code request completed} lines. Prefill and decode workers both use it; it ends once, whatever ends it first.
 */
public final class WorkerCall {

    private static final Logger LOG = Logger.getLogger(WorkerCall.class);

    private final ComponentMetrics metrics;
    private final String requestId;
    private final String xRequestId;
    private final String spanComponent;
    private final Span span;
    private final long startedAt = System.nanoTime();
    private final AtomicLong busyNanos = new AtomicLong();
    private final AtomicBoolean ended = new AtomicBoolean();

    private WorkerCall(ComponentMetrics metrics, String requestId, String spanComponent, Span span) {
        this.metrics = metrics;
        this.requestId = requestId;
        String fromMetadata = RequestIds.current();
        this.xRequestId = fromMetadata != null ? fromMetadata : requestId;
        this.spanComponent = spanComponent;
        this.span = span;
    }

    /**
     * @param spanComponent the span's {@code component}: {@code prefill}, {@code backend} (a decode worker that
     *        prefills itself) or {@code decode} (one that continues from a transferred KV)
     * @param instanceId this worker's id
     * @param requestBytes the request message's serialized size
     */
    public static WorkerCall start(ComponentMetrics metrics, String spanComponent, String instanceId, String requestId,
            long requestBytes) {
        WorkerCall call = new WorkerCall(metrics, requestId, spanComponent, Span.current());
        call.span.setAttribute(SpanFields.COMPONENT, spanComponent);
        call.span.setAttribute(SpanFields.ENDPOINT, "generate");
        call.span.setAttribute(SpanFields.NAMESPACE, metrics.namespace());
        call.span.setAttribute(SpanFields.INSTANCE_ID, instanceId);
        call.span.setAttribute(SpanFields.REQUEST_ID, requestId);
        call.span.setAttribute(SpanFields.X_REQUEST_ID, call.xRequestId);
        metrics.requestStarted(requestBytes);
        call.log(Logger.Level.INFO, "request received", Map.of());
        return call;
    }

    /**
     * Puts the inbound call's {@code x-request-id} on the current (gRPC server) span, for calls that are not a
     * request of their own (KV pulls, cancels).
     */
    public static void tagRequestId() {
        String requestId = RequestIds.current();
        if (requestId != null) {
            Span.current().setAttribute(SpanFields.X_REQUEST_ID, requestId);
        }
    }

    /** Time spent computing for this request (its prefill, its share of the decode steps). */
    public void busy(long nanos) {
        busyNanos.addAndGet(nanos);
    }

    /** A response message sent. */
    public void responded(long bytes) {
        metrics.responseBytes(bytes);
    }

    public void completed() {
        end("success", null);
    }

    /** The call failed; a CANCELLED status means the caller or the frontend cancelled it. */
    public void failed(Throwable error) {
        Status.Code code = Status.fromThrowable(error).getCode();
        if (code == Status.Code.CANCELLED) {
            cancelled();
            return;
        }
        if (ended.get()) {
            return;
        }
        ComponentMetrics.ErrorType type = code == Status.Code.INVALID_ARGUMENT
                ? ComponentMetrics.ErrorType.INVALID_MESSAGE : ComponentMetrics.ErrorType.GENERATE;
        metrics.error(type);
        span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
        end("error", type.label());
    }

    /** The caller went away or asked to cancel. */
    public void cancelled() {
        if (ended.get()) {
            return;
        }
        metrics.cancelled();
        end("cancelled", "cancelled");
    }

    private void end(String status, String errorType) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        long elapsed = System.nanoTime() - startedAt;
        metrics.requestEnded(elapsed);
        DynamoSpanProcessor.busyIdle(span, busyNanos.get(), elapsed);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", status);
        fields.put("elapsed_ms", elapsed / 1_000_000);
        if (errorType != null) {
            fields.put("error_type", errorType);
        }
        // a cancellation is the caller's choice, not a failure of this worker: INFO, as a success
        log("error".equals(status) ? Logger.Level.WARN : Logger.Level.INFO, "request completed", fields);
    }

    private void log(Logger.Level level, String message, Map<String, Object> extra) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("request_id", requestId);
        fields.put(RequestIds.MDC_KEY, xRequestId);
        fields.put("component", spanComponent);
        fields.put("endpoint", "generate");
        fields.putAll(extra);
        LifecycleLog.log(LOG, level, message, span, fields);
    }
}
