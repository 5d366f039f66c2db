package dev.tandem.telemetry.logging;

import static dev.tandem.telemetry.logging.LogField.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.quarkus.arc.Unremovable;

/**
 * {@code DYN_LOGGING_SPAN_EVENTS=true} (JSONL mode): a {@code SPAN_FIRST_ENTRY} line when a span starts and a
 * {@code SPAN_CLOSED} line with {@code time.busy_us}, {@code time.idle_us} and {@code time.duration_us} when it
 * ends, for every span OpenTelemetry records, under the {@code request_span} category. Busy and idle time come
 * from the span's {@code busy_ns}/{@code idle_ns} attributes where it has them (Dynamo's); otherwise the whole
 * duration counts as busy. Quarkus adds every {@link SpanProcessor} bean to its tracer provider.
 */
@Singleton
@Unremovable
public class SpanEventLogger implements SpanProcessor {

    private static final Logger LOG = Logger.getLogger(LoggingSettings.SPAN_EVENTS_CATEGORY);
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final AttributeKey<Long> BUSY_NS = AttributeKey.longKey("busy_ns");
    private static final AttributeKey<Long> IDLE_NS = AttributeKey.longKey("idle_ns");

    private final boolean enabled;

    public SpanEventLogger() {
        this(LoggingSettings.current().spanEvents());
    }

    SpanEventLogger(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        LOG.infov("SPAN_FIRST_ENTRY", fields(span, false).toArray());
    }

    @Override
    public boolean isStartRequired() {
        return enabled;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        LOG.infov("SPAN_CLOSED", fields(span, true).toArray());
    }

    @Override
    public boolean isEndRequired() {
        return enabled;
    }

    static List<LogField> fields(ReadableSpan span, boolean closed) {
        List<LogField> fields = new ArrayList<>();
        SpanContext context = span.getSpanContext();
        fields.add(kv("span_name", span.getName()));
        fields.add(kv("trace_id", context.getTraceId()));
        fields.add(kv("span_id", context.getSpanId()));
        SpanContext parent = span.getParentSpanContext();
        if (parent != null && parent.isValid()) {
            fields.add(kv("parent_id", parent.getSpanId()));
        }
        span.getAttributes().forEach((key, value) -> {
            if (PLAIN_KEY.matcher(key.getKey()).matches() && !key.getKey().endsWith("_ns")) {
                fields.add(kv(key.getKey(), String.valueOf(value)));
            }
        });
        if (closed) {
            long durationUs = span.getLatencyNanos() / 1_000;
            Long busyNs = span.getAttribute(BUSY_NS);
            Long idleNs = span.getAttribute(IDLE_NS);
            long busyUs = busyNs != null ? busyNs / 1_000 : idleNs != null ? Math.max(0, durationUs - idleNs / 1_000) : durationUs;
            long idleUs = idleNs != null ? idleNs / 1_000 : Math.max(0, durationUs - busyUs);
            fields.add(kv("time.busy_us", busyUs));
            fields.add(kv("time.idle_us", idleUs));
            fields.add(kv("time.duration_us", busyNs != null && idleNs != null ? busyUs + idleUs : durationUs));
        }
        return fields;
    }
}
