package dev.tandem.frontend.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestMulti;

import dev.tandem.frontend.generation.RequestPreparer;
import dev.tandem.frontend.openai.ChatCompletionRequest;
import dev.tandem.frontend.openai.CompletionRequest;
import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.frontend.openai.RequestValidator;
import io.vertx.ext.web.RoutingContext;

/** OpenAI's generation endpoints: validate, render and tokenize here, then hand over to the workers. */
@Path("/v1")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class OpenAiResource {

    private final RequestPreparer preparer;
    private final CompletionResponder responder;

    public OpenAiResource(RequestPreparer preparer, CompletionResponder responder) {
        this.preparer = preparer;
        this.responder = responder;
    }

    @POST
    @Path("/chat/completions")
    public RestMulti<WireText> chatCompletions(ChatCompletionRequest body, @Context ContainerRequestContext http,
            @Context RoutingContext routing) {
        var options = RequestValidator.validate(required(body));
        return responder.respond(preparer.chat(requestId(http), options, body.messages()), ResponseShape.CHAT, routing);
    }

    @POST
    @Path("/completions")
    public RestMulti<WireText> completions(CompletionRequest body, @Context ContainerRequestContext http,
            @Context RoutingContext routing) {
        var options = RequestValidator.validate(required(body));
        return responder.respond(preparer.completion(requestId(http), options, body.prompt()), ResponseShape.COMPLETION, routing);
    }

    private static <T> T required(T body) {
        if (body == null) {
            throw OpenAiException.badRequest(null, "The request body must be a JSON object.");
        }
        return body;
    }

    private static String requestId(ContainerRequestContext http) {
        return (String) http.getProperty(RequestIdFilters.PROPERTY);
    }
}
