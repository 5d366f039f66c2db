package dev.tandem.telemetry;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.internal.ExtendedSpanProcessor;

/**
 * Gives the framework's spans Dynamo's names and fields, rather than adding a second span beside each.
 *
 * <ul>
 * <li>Quarkus' HTTP server span becomes {@code http-request} with {@code method}, {@code uri}, {@code version}. It
 * already is what Dynamo's root span is: it honours an inbound {@code traceparent}/{@code tracestate}, it is the
 * current context for the request's logs (MDC) and for the gRPC calls made for it. A span of our own would be a
 * child of it, never the root, unless Quarkus' HTTP instrumentation were switched off and its propagation and
 * Vert.x context handling rewritten.</li>
 * <li>The gRPC server span of a worker's {@code generate} endpoint ({@code Prefill}, {@code Generate}) becomes
 * {@code handle_payload}; its parent is the frontend's client span, through {@code traceparent} in the metadata.</li>
 * <li>Every span inherits {@code x_request_id} from its parent, or from the inbound call's metadata.</li>
 * <li>{@code busy_ns}/{@code idle_ns}: where the code did not measure them, a client span counts as idle (it waits
 * on its peer) and any other span as busy.</li>
 * </ul>
 *
 * The name is set at start and again when the span ends: Quarkus renames its HTTP span to {@code "POST /route"}
 * when the response is sent ({@code HttpServerRoute}), and the ending hook (the SDK's {@link ExtendedSpanProcessor},
 * promoted to {@code SpanProcessor#onEnding} in later SDKs) is the one place that comes after it.
 */
@ApplicationScoped
public class DynamoSpanProcessor implements ExtendedSpanProcessor {

    private static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> HTTP_METHOD_OLD = AttributeKey.stringKey("http.method");
    private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    private static final AttributeKey<String> HTTP_TARGET_OLD = AttributeKey.stringKey("http.target");
    private static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    private static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
    private static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    /** The RPCs that are a worker's {@code generate} endpoint. */
    private static final Set<String> GENERATE_RPCS = Set.of("Prefill", "Generate");

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        String name = dynamoName(span);
        if (name != null) {
            span.updateName(name);
        }
        httpFields(span);
        if (span.getAttribute(SpanFields.X_REQUEST_ID) == null) {
            String requestId = inheritedRequestId(parentContext);
            if (requestId != null) {
                span.setAttribute(SpanFields.X_REQUEST_ID, requestId);
            }
        }
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnding(ReadWriteSpan span) {
        String name = dynamoName(span);
        if (name != null && !name.equals(span.getName())) {
            span.updateName(name);
        }
        httpFields(span); // the protocol version is only known once the response is
        if (span.getAttribute(SpanFields.BUSY_NS) == null) {
            long duration = span.getLatencyNanos();
            boolean waiting = span.getKind() == SpanKind.CLIENT;
            span.setAttribute(SpanFields.BUSY_NS, waiting ? 0 : duration);
            span.setAttribute(SpanFields.IDLE_NS, waiting ? duration : 0);
        }
    }

    @Override
    public boolean isOnEndingRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }

    /** Records measured busy time: idle is the rest of the span's duration so far. */
    public static void busyIdle(Span span, long busyNanos, long totalNanos) {
        span.setAttribute(SpanFields.BUSY_NS, Math.min(busyNanos, totalNanos));
        span.setAttribute(SpanFields.IDLE_NS, Math.max(0, totalNanos - busyNanos));
    }

    /** Dynamo's {@code method}, {@code uri}, {@code version} fields of an HTTP server span, from the semconv ones. */
    private static void httpFields(ReadWriteSpan span) {
        if (!isHttpServer(span)) {
            return;
        }
        if (span.getAttribute(SpanFields.METHOD) == null) {
            span.setAttribute(SpanFields.METHOD, first(span, HTTP_METHOD, HTTP_METHOD_OLD));
        }
        if (span.getAttribute(SpanFields.URI) == null) {
            String path = span.getAttribute(URL_PATH);
            String query = span.getAttribute(URL_QUERY);
            String uri = path != null ? (query != null && !query.isEmpty() ? path + "?" + query : path)
                    : span.getAttribute(HTTP_TARGET_OLD);
            if (uri != null) {
                span.setAttribute(SpanFields.URI, uri);
            }
        }
        String version = span.getAttribute(PROTOCOL_VERSION);
        if (version != null && span.getAttribute(SpanFields.VERSION) == null) {
            span.setAttribute(SpanFields.VERSION, "HTTP/" + version);
        }
    }

    private static String dynamoName(ReadableSpan span) {
        if (isHttpServer(span)) {
            return SpanFields.HTTP_REQUEST;
        }
        if (span.getKind() == SpanKind.SERVER && "grpc".equals(span.getAttribute(RPC_SYSTEM))
                && GENERATE_RPCS.contains(span.getAttribute(RPC_METHOD))) {
            return SpanFields.HANDLE_PAYLOAD;
        }
        return null;
    }

    private static boolean isHttpServer(ReadableSpan span) {
        return span.getKind() == SpanKind.SERVER && first(span, HTTP_METHOD, HTTP_METHOD_OLD) != null;
    }

    private static String first(ReadableSpan span, AttributeKey<String> key, AttributeKey<String> fallback) {
        String value = span.getAttribute(key);
        return value != null ? value : span.getAttribute(fallback);
    }

    private static String inheritedRequestId(Context parentContext) {
        if (Span.fromContext(parentContext) instanceof ReadableSpan parent) {
            String inherited = parent.getAttribute(SpanFields.X_REQUEST_ID);
            if (inherited != null) {
                return inherited;
            }
        }
        return RequestIds.current(); // a worker's inbound call, once its metadata has been read
    }
}
