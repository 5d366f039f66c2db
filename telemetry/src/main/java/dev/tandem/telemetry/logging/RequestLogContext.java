package dev.tandem.telemetry.logging;

import java.util.HashMap;
import java.util.Map;

import org.jboss.logging.MDC;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * A request's logging context (its MDC: {@code x_request_id}, trace ids...) and OpenTelemetry context, captured
 * where the request is served and restored around a callback that runs on another thread: a gRPC client's
 * executor, a virtual thread, a batch loop. Without it, lines logged there (a request completing, a stream
 * failing) lose the request's {@code trace_id} and {@code x_request_id}.
 */
public final class RequestLogContext {

    private final Map<String, Object> mdc;
    private final Context trace;

    private RequestLogContext(Map<String, Object> mdc, Context trace) {
        this.mdc = mdc;
        this.trace = trace;
    }

    /** The current thread's (or Vert.x context's) MDC and OpenTelemetry context. */
    public static RequestLogContext capture() {
        Map<String, Object> current = MDC.getMap();
        return new RequestLogContext(current == null || current.isEmpty() ? Map.of() : new HashMap<>(current),
                Context.current());
    }

    /** Runs {@code action} with this context, then puts the thread's own back. */
    public void run(Runnable action) {
        if (mdc.isEmpty() && trace == Context.current()) {
            action.run();
            return;
        }
        Map<String, Object> previous = MDC.getMap();
        Map<String, Object> saved = previous == null || previous.isEmpty() ? Map.of() : new HashMap<>(previous);
        mdc.forEach(MDC::put);
        try (Scope scope = trace.makeCurrent()) {
            action.run();
        } finally {
            MDC.clear();
            saved.forEach(MDC::put);
        }
    }

    public Runnable wrap(Runnable action) {
        return () -> run(action);
    }
}
