package dev.tandem.frontend.openai;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Makes every error of the REST layer an OpenAI error body with a fitting status; no stack trace or
 * Java class name ever reaches the client. RESTEasy picks the mapper of the closest exception type.
 *
 * <p>How quarkus-rest-jackson reports unreadable bodies (checked in its 3.31 reader): a
 * {@link MismatchedInputException} (wrong JSON type, and our {@link InvalidFieldException}) is
 * rethrown as is, and has a built-in mapper at priority 5100 that ours (5000, USER) overrides; a
 * syntax error ({@code StreamReadException}) or another {@code DatabindException} arrives wrapped in a
 * {@code WebApplicationException(cause, 400)}; an empty body is read as a null request, which
 * {@link RequestValidator} rejects.
 */
public class OpenAiExceptionMappers {

    private static final Logger LOG = Logger.getLogger(OpenAiExceptionMappers.class);

    /** Deliberate errors are not logged here: whoever threw one logs what it knows. */
    @ServerExceptionMapper
    public RestResponse<ErrorBody> openAi(OpenAiException error) {
        return respond(error);
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> mismatchedInput(MismatchedInputException error) {
        return respond(JsonBodyErrors.toBadRequest(error));
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> json(JsonProcessingException error) {
        // A type Jackson cannot (de)serialize at all is our bug, not the client's.
        return error instanceof InvalidDefinitionException
                ? unexpected(error)
                : respond(JsonBodyErrors.toBadRequest(error));
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> notFound(NotFoundException error, ContainerRequestContext request) {
        return respond(OpenAiException.notFound("Invalid URL (" + request.getMethod() + " " + path(request) + ")"));
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> notAllowed(NotAllowedException error, ContainerRequestContext request) {
        return respond(clientError(405, "Method " + request.getMethod() + " is not allowed for " + path(request)));
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> notSupported(NotSupportedException error, ContainerRequestContext request) {
        MediaType sent = request.getMediaType();
        return respond(clientError(415, "Unsupported content type '" + (sent == null ? "none" : sent)
                + "': send the request body as application/json"));
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> webApplication(WebApplicationException error) {
        if (error.getCause() instanceof JacksonException unreadableBody) {
            return respond(JsonBodyErrors.toBadRequest(unreadableBody));
        }
        int status = error.getResponse().getStatus();
        Response.StatusType known = Response.Status.fromStatusCode(status);
        String reason = known == null ? "Request failed with status " + status : known.getReasonPhrase();
        if (status >= 500) {
            LOG.error("Request failed with status " + status, error);
            return respond(new OpenAiException(status, OpenAiException.SERVER_ERROR, null, null, reason));
        }
        return respond(clientError(status, reason));
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> unexpected(Throwable error) {
        LOG.error("Unhandled error while serving a request", error);
        return respond(OpenAiException.internal("The server had an error while processing your request"));
    }

    private static OpenAiException clientError(int status, String message) {
        return new OpenAiException(status, OpenAiException.INVALID_REQUEST_ERROR, null, null, message);
    }

    private static String path(ContainerRequestContext request) {
        return request.getUriInfo().getRequestUri().getRawPath();
    }

    private static RestResponse<ErrorBody> respond(OpenAiException error) {
        RestResponse.ResponseBuilder<ErrorBody> response = RestResponse.ResponseBuilder.create(error.status());
        if (error.retryAfterSeconds() > 0) {
            response.header("Retry-After", String.valueOf(error.retryAfterSeconds()));
        }
        return response
                .entity(ErrorBody.from(error))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build();
    }
}
