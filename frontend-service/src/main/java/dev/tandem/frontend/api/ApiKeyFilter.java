package dev.tandem.frontend.api;

import java.net.URI;
import java.util.Set;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.tandem.frontend.openai.ErrorBody;
import dev.tandem.frontend.openai.OpenAiException;

/**
 * Asks for an API key ({@link ApiKeys}) on every route the REST layer serves but the probes {@code /health} and
 * {@code /live} ({@code /metrics} is served outside it, and stays open too): {@code /v1/*}, {@code /tokenize},
 * {@code /detokenize}, {@code /apply-template}, unknown paths. A missing or wrong key is a 401 worded as OpenAI's.
 */
public class ApiKeyFilter {

    private static final Set<String> OPEN_PATHS = Set.of("/health", "/live", "/metrics");
    private static final String BEARER = "bearer ";

    static final String MISSING = "You didn't provide an API key. You need to provide your API key in an "
            + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    static final String INCORRECT = "Incorrect API key provided.";

    private final ApiKeys keys;

    public ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION)
    public RestResponse<ErrorBody> authenticate(ContainerRequestContext request) {
        if (!keys.required() || isOpen(request.getUriInfo().getRequestUri())) {
            return null;
        }
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || authorization.substring(BEARER.length()).isBlank()) {
            return unauthorized(MISSING);
        }
        return keys.matches(authorization.substring(BEARER.length()).strip()) ? null : unauthorized(INCORRECT);
    }

    private static boolean isOpen(URI uri) {
        String path = uri.normalize().getPath();
        if (path == null) {
            return false;
        }
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return OPEN_PATHS.contains(path);
    }

    /** As OpenAI answers a missing or wrong key: 401, {@code invalid_request_error}, code {@code invalid_api_key}. */
    private static RestResponse<ErrorBody> unauthorized(String message) {
        OpenAiException error = new OpenAiException(401, OpenAiException.INVALID_REQUEST_ERROR, null,
                "invalid_api_key", message);
        return RestResponse.ResponseBuilder.<ErrorBody>create(401)
                .entity(ErrorBody.from(error))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .build();
    }
}
