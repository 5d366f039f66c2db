package dev.tandem.telemetry;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * The per-request lifecycle lines of Dynamo ({@code request received}, {@code request completed},
 * {@code request cancelled}): the message is exactly Dynamo's, the fields ({@code request_id}, {@code status},
 * {@code elapsed_ms}, …) go into the MDC for the log formatter to render, and the request's span is current while
 * the line is written, so the line carries the request's trace context even when it is written on a thread that
 * has none (a gRPC callback), both in the MDC ({@code traceId}/{@code spanId}, Quarkus' keys) and on the exported
 * OTLP log record.
 */
public final class LifecycleLog {

    private LifecycleLog() {
    }

    public static void log(Logger logger, Logger.Level level, String message, Span span, Map<String, ?> fields) {
        if (!logger.isEnabled(level)) {
            return;
        }
        Map<String, Object> all = new LinkedHashMap<>(fields);
        SpanContext context = span.getSpanContext();
        if (context.isValid()) {
            all.put("traceId", context.getTraceId());
            all.put("spanId", context.getSpanId());
            all.put("sampled", String.valueOf(context.isSampled()));
        }
        Map<String, Object> previous = new LinkedHashMap<>();
        all.forEach((key, value) -> {
            if (value != null) {
                previous.put(key, MDC.put(key, String.valueOf(value)));
            }
        });
        try (Scope ignored = Context.current().with(span).makeCurrent()) {
            logger.log(level, message);
        } finally {
            previous.forEach((key, value) -> {
                if (value == null) {
                    MDC.remove(key);
                } else {
                    MDC.put(key, value);
                }
            });
        }
    }
}
