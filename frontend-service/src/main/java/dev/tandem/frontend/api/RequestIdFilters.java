package dev.tandem.frontend.api;

import java.util.UUID;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.tandem.model.telemetry.RequestIds;
import dev.tandem.model.telemetry.SpanFields;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.http.HttpServerRequest;

/**
 * Every request has an {@code x-request-id}: the client's, or a new one. It is echoed in the response, put in
 * the logging MDC and passed to the workers.
 */
public class RequestIdFilters {

    public static final String PROPERTY = RequestIds.MDC_KEY;

    @ServerRequestFilter(preMatching = true)
    public void assign(ContainerRequestContext request, HttpServerRequest http) {
        String requestId = request.getHeaderString(RequestIds.HEADER);
        if (requestId == null || requestId.isBlank()) {
            requestId = UUID.randomUUID().toString();
        }
        request.setProperty(PROPERTY, requestId);
        MDC.put(RequestIds.MDC_KEY, requestId);
        Span span = Span.current(); // the http-request span
        span.setAttribute(SpanFields.X_REQUEST_ID, requestId);
        span.setAttribute(SpanFields.VERSION, switch (http.version()) {
            case HTTP_1_0 -> "HTTP/1.0";
            case HTTP_1_1 -> "HTTP/1.1";
            case HTTP_2 -> "HTTP/2.0";
        });
    }

    @ServerResponseFilter
    public void echo(ContainerRequestContext request, ContainerResponseContext response) {
        Object requestId = request.getProperty(PROPERTY);
        if (requestId != null) {
            response.getHeaders().putSingle(RequestIds.HEADER, requestId);
        }
    }
}
