package dev.tandem.frontend.api;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.tandem.chattemplate.Json;
import dev.tandem.frontend.config.FrontendConfig;
import dev.tandem.frontend.generation.RequestPreparer;
import dev.tandem.frontend.openai.ApplyTemplateRequest;
import dev.tandem.frontend.openai.ApplyTemplateResponse;
import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.frontend.openai.UnsupportedParams;

/**
 * {@code POST /apply-template}, as llama.cpp's server has it: the prompt the served model's chat template renders
 * for {@code messages} (and {@code tools}), without inference. For debugging prompts; a template that refuses the
 * conversation is a 400 with its own message.
 */
@Path("/apply-template")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class TemplateResource {

    private final RequestPreparer preparer;
    private final boolean ignoreUnsupportedParams;

    public TemplateResource(RequestPreparer preparer, FrontendConfig config) {
        this.preparer = preparer;
        this.ignoreUnsupportedParams = config.ignoreUnsupportedParams();
    }

    @POST
    public ApplyTemplateResponse apply(ApplyTemplateRequest body) {
        if (body == null) {
            throw OpenAiException.badRequest(null, "The request body must be a JSON object.");
        }
        UnsupportedParams.check(body.otherFields(), ignoreUnsupportedParams);
        List<Map<String, Object>> messages = messages(body.messages());
        List<?> tools = null;
        if (body.tools() != null && !body.tools().isNull()) {
            if (!body.tools().isArray()) {
                throw OpenAiException.badRequest("tools", "'tools' must be an array");
            }
            tools = (List<?>) Json.fromJackson(body.tools());
        }
        boolean addGenerationPrompt = body.addGenerationPrompt() == null || body.addGenerationPrompt();
        return new ApplyTemplateResponse(preparer.applyTemplate(body.model(), messages, tools, addGenerationPrompt));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> messages(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw OpenAiException.badRequest("messages", "'messages' must be a non-empty array");
        }
        List<Map<String, Object>> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                throw OpenAiException.badRequest("messages[" + i + "]", "messages[" + i + "] must be an object");
            }
            if (!message.path("role").isTextual()) {
                throw OpenAiException.badRequest("messages[" + i + "].role", "messages[" + i
                        + "].role must be a string");
            }
            out.add((Map<String, Object>) Json.fromJackson(message));
        }
        return out;
    }
}
