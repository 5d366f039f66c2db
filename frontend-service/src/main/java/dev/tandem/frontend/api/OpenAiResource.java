package dev.tandem.frontend.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestMulti;

import dev.tandem.frontend.config.FrontendConfig;
import dev.tandem.frontend.generation.RequestPreparer;
import dev.tandem.frontend.openai.ChatCompletionRequest;
import dev.tandem.frontend.openai.CompletionRequest;
import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.frontend.openai.RequestValidator;
import dev.tandem.frontend.openai.ToolChoices;
import dev.tandem.frontend.model.ServedModel;
import dev.tandem.frontend.tools.ToolCallParser;
import dev.tandem.frontend.tools.ToolCallParsers;
import dev.tandem.frontend.tools.ToolCallReader;
import dev.tandem.frontend.telemetry.FrontendMetrics;
import dev.tandem.frontend.telemetry.RequestTelemetry;
import io.vertx.ext.web.RoutingContext;

/** OpenAI's generation endpoints: validate, render and tokenize here, then hand over to the workers. */
@Path("/v1")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class OpenAiResource {

    private final RequestPreparer preparer;
    private final CompletionResponder responder;
    private final FrontendMetrics metrics;
    private final boolean ignoreUnsupportedParams;
    private final ToolCallParser toolCallParser;

    public OpenAiResource(RequestPreparer preparer, CompletionResponder responder, FrontendMetrics metrics,
            FrontendConfig config, ServedModel model) {
        this.preparer = preparer;
        this.responder = responder;
        this.metrics = metrics;
        this.ignoreUnsupportedParams = config.ignoreUnsupportedParams();
        this.toolCallParser = ToolCallParsers.of(config.toolCallParser(), model.tokenizer().chatTemplate());
    }

    @POST
    @Path("/chat/completions")
    public RestMulti<WireText> chatCompletions(ChatCompletionRequest body, @Context ContainerRequestContext http,
            @Context RoutingContext routing) {
        String requestId = RequestIdFilters.requestId(http);
        String id = ResponseShape.CHAT.id(requestId);
        RequestTelemetry telemetry = metrics.start(FrontendMetrics.CHAT_COMPLETIONS, body != null && Boolean.TRUE.equals(body.stream()),
                requestId, xRequestId(http));
        try {
            var options = RequestValidator.validate(required(body), ignoreUnsupportedParams);
            ToolChoices tools = ToolChoices.of(body.otherFields());
            return responder.respond(preparer.chat(xRequestId(http), options, body.messages(),
                    tools.offered() ? tools.tools() : null, telemetry), ResponseShape.CHAT, routing, id, telemetry,
                    tools.offered() ? () -> new ToolCallReader(tools, toolCallParser) : null);
        } catch (RuntimeException e) {
            telemetry.failed(e);
            throw e;
        }
    }

    @POST
    @Path("/completions")
    public RestMulti<WireText> completions(CompletionRequest body, @Context ContainerRequestContext http,
            @Context RoutingContext routing) {
        String requestId = RequestIdFilters.requestId(http);
        String id = ResponseShape.COMPLETION.id(requestId);
        RequestTelemetry telemetry = metrics.start(FrontendMetrics.COMPLETIONS, body != null && Boolean.TRUE.equals(body.stream()),
                requestId, xRequestId(http));
        try {
            var options = RequestValidator.validate(required(body), ignoreUnsupportedParams);
            return responder.respond(preparer.completion(xRequestId(http), options, body.prompt(), telemetry),
                    ResponseShape.COMPLETION, routing, id, telemetry);
        } catch (RuntimeException e) {
            telemetry.failed(e);
            throw e;
        }
    }

    private static <T> T required(T body) {
        if (body == null) {
            throw OpenAiException.badRequest(null, "The request body must be a JSON object.");
        }
        return body;
    }

    private static String xRequestId(ContainerRequestContext http) {
        return (String) http.getProperty(RequestIdFilters.PROPERTY);
    }
}
