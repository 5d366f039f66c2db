package dev.tandem.telemetry;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.MDC;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;

/** Puts the caller's {@code x-request-id} into the gRPC context and the logging MDC of every inbound call. */
@ApplicationScoped
@GlobalInterceptor
// outermost, so that the request id is in the gRPC context when the tracing interceptor starts its span
@Priority(Integer.MAX_VALUE / 2)
public class RequestIdServerInterceptor implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String requestId = headers.get(RequestIds.METADATA_KEY);
        if (requestId == null) {
            return next.startCall(call, headers);
        }
        MDC.put(RequestIds.MDC_KEY, requestId);
        return Contexts.interceptCall(Context.current().withValue(RequestIds.CONTEXT_KEY, requestId), call, headers, next);
    }
}
