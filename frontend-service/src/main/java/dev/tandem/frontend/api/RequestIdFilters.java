package dev.tandem.frontend.api;

import java.util.UUID;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.tandem.frontend.openai.ResponseIds;
import dev.tandem.telemetry.RequestIds;
import dev.tandem.telemetry.SpanFields;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.http.HttpServerRequest;

/**
 * Every request has an {@code x-request-id}: the client's, or a new one. It is echoed in the response, put in
 * the logging MDC and passed to the workers.
 *
 * <p>It also has Dynamo's internal {@code request_id}: a UUID from the {@code request-id} header, or from the
 * deprecated {@code x-dynamo-request-id} (with a warning), or a fresh UUIDv4. Response ids are built from it.
 */
public class RequestIdFilters {

    private static final Logger LOG = Logger.getLogger(RequestIdFilters.class);

    public static final String PROPERTY = RequestIds.MDC_KEY;
    static final String REQUEST_ID_PROPERTY = "tandem.internal-request-id";
    static final String REQUEST_ID = "request-id";
    static final String DEPRECATED_REQUEST_ID = "x-dynamo-request-id";

    /** The request's internal id, as resolved by {@link #assign}. */
    public static String requestId(ContainerRequestContext request) {
        return (String) request.getProperty(REQUEST_ID_PROPERTY);
    }

    @ServerRequestFilter(preMatching = true)
    public void assign(ContainerRequestContext request, HttpServerRequest http) {
        String requestId = request.getHeaderString(RequestIds.HEADER);
        if (requestId == null || requestId.isBlank()) {
            requestId = UUID.randomUUID().toString();
        }
        request.setProperty(PROPERTY, requestId);
        request.setProperty(REQUEST_ID_PROPERTY, internalRequestId(request));
        MDC.put(RequestIds.MDC_KEY, requestId);
        Span span = Span.current(); // the http-request span
        span.setAttribute(SpanFields.X_REQUEST_ID, requestId);
        span.setAttribute(SpanFields.VERSION, switch (http.version()) {
            case HTTP_1_0 -> "HTTP/1.0";
            case HTTP_1_1 -> "HTTP/1.1";
            case HTTP_2 -> "HTTP/2.0";
        });
    }

    private static String internalRequestId(ContainerRequestContext request) {
        String deprecated = request.getHeaderString(DEPRECATED_REQUEST_ID);
        if (deprecated != null) {
            LOG.warnf("The %s header is deprecated; send %s instead", DEPRECATED_REQUEST_ID, REQUEST_ID);
            if (!isUuid(deprecated)) {
                LOG.warnf("Ignoring %s: not a UUID", DEPRECATED_REQUEST_ID);
            }
        }
        String given = request.getHeaderString(REQUEST_ID);
        if (isUuid(given)) {
            return given;
        }
        return isUuid(deprecated) ? deprecated : ResponseIds.newRequestId();
    }

    private static boolean isUuid(String value) {
        if (value == null || value.length() != 36) {
            return false;
        }
        try {
            UUID.fromString(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @ServerResponseFilter
    public void echo(ContainerRequestContext request, ContainerResponseContext response) {
        Object requestId = request.getProperty(PROPERTY);
        if (requestId != null) {
            response.getHeaders().putSingle(RequestIds.HEADER, requestId);
        }
    }
}
