package dev.tandem.telemetry;

import io.opentelemetry.api.common.AttributeKey;

/** Dynamo's span names and span field names (the spec's §2.2), shared by the three services. */
public final class SpanFields {

    /** The frontend's root span: Quarkus' HTTP server span, renamed. */
    public static final String HTTP_REQUEST = "http-request";
    /** A worker's span for one request on its {@code generate} endpoint: the gRPC server span, renamed. */
    public static final String HANDLE_PAYLOAD = "handle_payload";
    /** The frontend's span around choosing a prefill worker and calling it. */
    public static final String PREFILL_ROUTING = "prefill_routing";

    public static final AttributeKey<String> X_REQUEST_ID = AttributeKey.stringKey("x_request_id");
    public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("request_id");
    public static final AttributeKey<String> METHOD = AttributeKey.stringKey("method");
    public static final AttributeKey<String> URI = AttributeKey.stringKey("uri");
    public static final AttributeKey<String> VERSION = AttributeKey.stringKey("version");
    public static final AttributeKey<String> MODEL = AttributeKey.stringKey("model");
    public static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("input_tokens");
    public static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("output_tokens");
    public static final AttributeKey<String> TTFT_MS = AttributeKey.stringKey("ttft_ms");
    public static final AttributeKey<String> AVG_ITL_MS = AttributeKey.stringKey("avg_itl_ms");
    public static final AttributeKey<String> PREFILL_WORKER_ID = AttributeKey.stringKey("prefill_worker_id");
    public static final AttributeKey<String> DECODE_WORKER_ID = AttributeKey.stringKey("decode_worker_id");
    public static final AttributeKey<String> COMPONENT = AttributeKey.stringKey("component");
    public static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("endpoint");
    public static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("namespace");
    public static final AttributeKey<String> INSTANCE_ID = AttributeKey.stringKey("instance_id");
    /** Time the span's work kept a thread busy, and the rest of its duration (tracing-opentelemetry's fields). */
    public static final AttributeKey<Long> BUSY_NS = AttributeKey.longKey("busy_ns");
    public static final AttributeKey<Long> IDLE_NS = AttributeKey.longKey("idle_ns");

    private SpanFields() {
    }

    /** Dynamo writes millisecond fields as strings with two decimals. */
    public static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1_000_000.0);
    }
}
