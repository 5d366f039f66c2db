package dev.tandem.frontend.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Checks a completion request and applies OpenAI's defaults. Stateless, so static: call
 * {@code RequestValidator.validate(request)} first thing in the resource method. Every failure is an
 * {@link OpenAiException#badRequest} naming the offending field.
 *
 * <p>Roles: {@code system}, {@code user}, {@code assistant}, and {@code developer}, OpenAI's newer
 * name for {@code system} (the chat template renders it as {@code system}), and {@code tool}, a tool's result
 * (with {@code tool_call_id}); assistant messages may carry {@code tool_calls}. The tools themselves are read by
 * {@link ToolChoices}.
 *
 * <p>Fields a request type does not declare are refused by name first (see {@link UnsupportedParams}), unless
 * the caller passes {@code ignoreUnsupported} ({@code tandem.ignore-unsupported-params}).
 */
public final class RequestValidator {

    private static final int MAX_STOP_STRINGS = 32;
    /** Most choices per request (Dynamo's limit). */
    public static final int MAX_N = 128;
    /** Most alternatives per token: chat's {@code top_logprobs}, completions' {@code logprobs}. */
    public static final int MAX_TOP_LOGPROBS = 20;
    public static final int MAX_COMPLETION_LOGPROBS = 5;
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private RequestValidator() {
    }

    public static GenerationOptions validate(ChatCompletionRequest request) {
        return validate(request, false);
    }

    public static GenerationOptions validate(ChatCompletionRequest request, boolean ignoreUnsupported) {
        requireBody(request);
        if (!ignoreUnsupported) {
            List<String> refused = new ArrayList<>();
            UnsupportedParams.collect("", without(request.otherFields(), CHAT_SERVED), UnsupportedParams.GENERATION,
                    refused);
            collectFromMessages(request.messages(), refused);
            collectFromStreamOptions(request.streamOptions(), refused);
            UnsupportedParams.refuse(refused);
        }
        requireModel(request.model());
        requireMessages(request.messages());
        requirePositive("max_tokens", request.maxTokens());
        requirePositive("max_completion_tokens", request.maxCompletionTokens());
        Integer maxTokens = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
        return options(request, maxTokens, chatLogprobs(request.otherFields()));
    }

    public static GenerationOptions validate(CompletionRequest request) {
        return validate(request, false);
    }

    public static GenerationOptions validate(CompletionRequest request, boolean ignoreUnsupported) {
        requireBody(request);
        if (!ignoreUnsupported) {
            List<String> refused = new ArrayList<>();
            UnsupportedParams.collect("", without(request.otherFields(), COMPLETION_SERVED), UnsupportedParams.GENERATION,
                    refused);
            collectFromStreamOptions(request.streamOptions(), refused);
            UnsupportedParams.refuse(refused);
        }
        requireModel(request.model());
        if (request.prompt() == null || request.prompt().isEmpty()) {
            throw OpenAiException.badRequest("prompt", "'prompt' is required and must be a non-empty string");
        }
        requirePositive("max_tokens", request.maxTokens());
        return options(request, request.maxTokens(), completionLogprobs(request.otherFields()));
    }

    /** Fields read from a request's {@code otherFields} rather than declared: served, so never refused. */
    private static final Set<String> CHAT_SERVED = Set.of("logprobs", "top_logprobs", "tools", "tool_choice",
            "parallel_tool_calls");
    private static final Set<String> COMPLETION_SERVED = Set.of("logprobs");

    private static Map<String, JsonNode> without(Map<String, JsonNode> fields, Set<String> names) {
        Map<String, JsonNode> rest = new HashMap<>(fields);
        rest.keySet().removeAll(names);
        return rest;
    }

    private static JsonNode given(Map<String, JsonNode> fields, String name) {
        JsonNode value = fields.get(name);
        return value == null || value.isNull() ? null : value;
    }

    /** Chat: {@code logprobs} (a boolean) and {@code top_logprobs} (0 to 20, with logprobs only); null = none. */
    private static Integer chatLogprobs(Map<String, JsonNode> fields) {
        JsonNode logprobs = given(fields, "logprobs");
        JsonNode top = given(fields, "top_logprobs");
        if (logprobs != null && !logprobs.isBoolean()) {
            throw OpenAiException.badRequest("logprobs", "'logprobs' must be a boolean, got " + logprobs);
        }
        boolean wanted = logprobs != null && logprobs.booleanValue();
        if (top == null) {
            return wanted ? 0 : null;
        }
        if (!top.isIntegralNumber() || top.asLong() < 0 || top.asLong() > MAX_TOP_LOGPROBS) {
            throw OpenAiException.badRequest("top_logprobs",
                    "'top_logprobs' must be an integer between 0 and " + MAX_TOP_LOGPROBS + ", got " + top);
        }
        if (!wanted && top.asInt() > 0) {
            throw OpenAiException.badRequest("top_logprobs", "'top_logprobs' requires 'logprobs' to be true");
        }
        return wanted ? top.asInt() : null;
    }

    /** Completions: {@code logprobs}, the legacy integer (0 to 5); null = none. */
    private static Integer completionLogprobs(Map<String, JsonNode> fields) {
        JsonNode logprobs = given(fields, "logprobs");
        if (logprobs == null) {
            return null;
        }
        if (!logprobs.isIntegralNumber() || logprobs.asLong() < 0 || logprobs.asLong() > MAX_COMPLETION_LOGPROBS) {
            throw OpenAiException.badRequest("logprobs",
                    "'logprobs' must be an integer between 0 and " + MAX_COMPLETION_LOGPROBS + ", got " + logprobs);
        }
        return logprobs.asInt();
    }

    /**
     * {@code POST /tokenize}: either {@code prompt} or {@code messages} (checked as a chat request's); the model is
     * checked where it is tokenized.
     */
    public static void validate(TokenizeRequest request, boolean ignoreUnsupported) {
        requireBody(request);
        if (!ignoreUnsupported) {
            List<String> refused = new ArrayList<>();
            UnsupportedParams.collect("", request.otherFields(), Map.of(), refused);
            collectFromMessages(request.messages(), refused);
            UnsupportedParams.refuse(refused);
        }
        if (request.prompt() != null && request.messages() != null) {
            throw OpenAiException.badRequest("messages", "Send either 'prompt' or 'messages', not both");
        }
        if (request.prompt() == null && request.messages() == null) {
            throw OpenAiException.badRequest("prompt", "'prompt' (a string) or 'messages' (an array) is required");
        }
        if (request.messages() != null) {
            requireMessages(request.messages());
        } else if (request.addGenerationPrompt() != null) {
            throw OpenAiException.badRequest("add_generation_prompt",
                    "'add_generation_prompt' applies to 'messages' only");
        }
    }

    /** {@code POST /detokenize}: {@code tokens} must be an array of ids; their range is checked against the model. */
    public static void validate(DetokenizeRequest request, boolean ignoreUnsupported) {
        requireBody(request);
        if (!ignoreUnsupported) {
            UnsupportedParams.check(request.otherFields(), false);
        }
        if (request.tokens() == null) {
            throw OpenAiException.badRequest("tokens", "'tokens' is required: an array of token ids");
        }
        for (int i = 0; i < request.tokens().size(); i++) {
            if (request.tokens().get(i) == null) {
                throw OpenAiException.badRequest("tokens[" + i + "]", "tokens[" + i + "] must be a token id");
            }
        }
    }

    /** Served message fields, their shapes checked in {@link #requireMessages}. */
    private static final Map<String, Predicate<JsonNode>> MESSAGE_NOTHING_ASKED = Map.of(
            "tool_calls", value -> true,
            "tool_call_id", value -> true);

    private static void collectFromMessages(List<ChatMessage> messages, List<String> refused) {
        if (messages == null) {
            return;
        }
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i) != null) {
                UnsupportedParams.collect("messages[" + i + "].", messages.get(i).otherFields(),
                        MESSAGE_NOTHING_ASKED, refused);
            }
        }
    }

    private static void collectFromStreamOptions(StreamOptions streamOptions, List<String> refused) {
        if (streamOptions != null) {
            UnsupportedParams.collect("stream_options.", streamOptions.otherFields(), Map.of(), refused);
        }
    }

    private static GenerationOptions options(GenerationRequest request, Integer maxTokens, Integer logprobs) {
        boolean stream = Boolean.TRUE.equals(request.stream());
        if (request.streamOptions() != null && !stream) {
            throw OpenAiException.badRequest("stream_options",
                    "The 'stream_options' field is only allowed when 'stream' is set to true");
        }
        if (request.n() != null && (request.n() < 1 || request.n() > MAX_N)) {
            throw OpenAiException.badRequest("n", "'n' must be between 1 and " + MAX_N + ", got " + request.n());
        }
        boolean includeUsage = stream && request.streamOptions() != null
                && Boolean.TRUE.equals(request.streamOptions().includeUsage());
        return new GenerationOptions(
                request.model(),
                stream,
                includeUsage,
                maxTokens,
                temperature(request.temperature()),
                topP(request.topP()),
                topK(request.topK()),
                minP(request.minP()),
                request.seed(),
                Boolean.TRUE.equals(request.ignoreEos()),
                stopStrings(request.stop()),
                repetitionPenalty(request.repetitionPenalty()),
                penalty("frequency_penalty", request.frequencyPenalty()),
                penalty("presence_penalty", request.presencePenalty()),
                logitBias(request.logitBias()),
                jsonSchema(request),
                logprobs,
                request.n() == null ? 1 : request.n());
    }

    /** {@code response_format}'s schema, or the tool call's when {@code tool_choice} forces one. */
    private static String jsonSchema(GenerationRequest request) {
        String format = ResponseFormats.jsonSchema(request.otherFields().get("response_format"));
        if (!(request instanceof ChatCompletionRequest)) {
            return format;
        }
        ToolChoices tools = ToolChoices.of(request.otherFields());
        if (!tools.forced()) {
            return format;
        }
        if (format != null) {
            throw OpenAiException.badRequest("response_format", "'response_format' cannot be combined with"
                    + " 'tool_choice' required or a named function");
        }
        return tools.schema();
    }

    private static void requireBody(Object request) {
        if (request == null) {
            throw OpenAiException.badRequest(null, "The request body must be a JSON object");
        }
    }

    private static void requireModel(String model) {
        if (model == null || model.isBlank()) {
            throw OpenAiException.badRequest("model", "You must provide a model parameter");
        }
    }

    private static void requireMessages(List<ChatMessage> messages) {
        if (messages == null || messages.isEmpty()) {
            throw OpenAiException.badRequest("messages", "'messages' must be a non-empty array");
        }
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            if (message == null) {
                throw OpenAiException.badRequest("messages[" + i + "]", "messages[" + i + "] must be an object");
            }
            if (message.role() == null || !ROLES.contains(message.role())) {
                throw OpenAiException.badRequest("messages[" + i + "].role", "Invalid role '" + message.role()
                        + "' in messages[" + i + "]: supported roles are system, developer, user, assistant and tool");
            }
            requireToolFields(message, "messages[" + i + "]");
            // OpenAI lets an assistant message omit content (tool calls); we render it as empty.
            if (message.content() == null && !message.role().equals("assistant")) {
                throw OpenAiException.badRequest("messages[" + i + "].content",
                        "messages[" + i + "].content is required for role '" + message.role() + "'");
            }
        }
    }

    /** {@code tool_calls} on assistant messages only, each a function call; {@code tool_call_id} on tool messages. */
    private static void requireToolFields(ChatMessage message, String at) {
        JsonNode calls = message.otherFields().get("tool_calls");
        if (calls != null && !calls.isNull()) {
            if (!message.role().equals("assistant")) {
                throw OpenAiException.badRequest(at + ".tool_calls", at + ".tool_calls is only allowed on assistant messages");
            }
            if (!calls.isArray()) {
                throw OpenAiException.badRequest(at + ".tool_calls", at + ".tool_calls must be an array");
            }
            for (int j = 0; j < calls.size(); j++) {
                String call = at + ".tool_calls[" + j + "]";
                JsonNode function = calls.get(j).path("function");
                if (!calls.get(j).isObject() || !"function".equals(calls.get(j).path("type").asText("function"))) {
                    throw OpenAiException.badRequest(call, call + " must be an object of type 'function'");
                }
                if (!function.path("name").isTextual()) {
                    throw OpenAiException.badRequest(call + ".function.name", call + ".function.name must be a string");
                }
                JsonNode arguments = function.get("arguments");
                if (arguments != null && !arguments.isNull() && !arguments.isTextual() && !arguments.isObject()) {
                    throw OpenAiException.badRequest(call + ".function.arguments",
                            call + ".function.arguments must be a JSON string");
                }
            }
        }
        JsonNode callId = message.otherFields().get("tool_call_id");
        if (callId != null && !callId.isNull() && !callId.isTextual()) {
            throw OpenAiException.badRequest(at + ".tool_call_id", at + ".tool_call_id must be a string");
        }
        if (message.role().equals("tool") && (callId == null || !callId.isTextual())) {
            throw OpenAiException.badRequest(at + ".tool_call_id", at + ".tool_call_id is required for role 'tool'");
        }
    }

    private static void requirePositive(String param, Integer value) {
        if (value != null && value < 1) {
            throw OpenAiException.badRequest(param, "'" + param + "' must be at least 1, got " + value);
        }
    }

    private static float temperature(Double temperature) {
        if (temperature == null) {
            return 1.0f;
        }
        if (!(temperature >= 0 && temperature <= 2)) {
            throw OpenAiException.badRequest("temperature",
                    "'temperature' must be between 0 and 2, got " + temperature);
        }
        return temperature.floatValue();
    }

    private static float topP(Double topP) {
        if (topP == null) {
            return 1.0f;
        }
        if (!(topP > 0 && topP <= 1)) {
            throw OpenAiException.badRequest("top_p", "'top_p' must be greater than 0 and at most 1, got " + topP);
        }
        return topP.floatValue();
    }

    private static float minP(Double minP) {
        if (minP == null) {
            return 0.0f;
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw OpenAiException.badRequest("min_p", "'min_p' must be between 0 and 1, got " + minP);
        }
        return minP.floatValue();
    }

    private static int topK(Integer topK) {
        if (topK == null || topK == -1 || topK == 0) {
            return 0;
        }
        if (topK < 1) {
            throw OpenAiException.badRequest("top_k", "'top_k' must be -1 or 0 (disabled) or at least 1, got " + topK);
        }
        return topK;
    }

    private static float repetitionPenalty(Double penalty) {
        if (penalty == null) {
            return 1.0f;
        }
        if (!(penalty > 0 && penalty <= 2)) {
            throw OpenAiException.badRequest("repetition_penalty",
                    "'repetition_penalty' must be greater than 0 and at most 2, got " + penalty);
        }
        return penalty.floatValue();
    }

    /** OpenAI's frequency and presence penalties: [-2, 2], 0 by default. */
    private static float penalty(String param, Double penalty) {
        if (penalty == null) {
            return 0.0f;
        }
        if (!(penalty >= -2 && penalty <= 2)) {
            throw OpenAiException.badRequest(param, "'" + param + "' must be between -2 and 2, got " + penalty);
        }
        return penalty.floatValue();
    }

    /** OpenAI's logit bias: token ids (as JSON object keys) to a bias in [-100, 100]. */
    private static Map<Integer, Float> logitBias(Map<String, Double> bias) {
        if (bias == null) {
            return Map.of();
        }
        Map<Integer, Float> byToken = new HashMap<>();
        bias.forEach((token, value) -> {
            int id;
            try {
                id = Integer.parseInt(token.strip());
            } catch (NumberFormatException e) {
                throw OpenAiException.badRequest("logit_bias", "'logit_bias' keys must be token ids, got '" + token + "'");
            }
            if (id < 0) {
                throw OpenAiException.badRequest("logit_bias", "'logit_bias' keys must be token ids, got " + id);
            }
            if (value == null || !(value >= -100 && value <= 100)) {
                throw OpenAiException.badRequest("logit_bias",
                        "'logit_bias' values must be between -100 and 100, got " + value + " for token " + id);
            }
            byToken.put(id, value.floatValue());
        });
        return byToken;
    }

    private static List<String> stopStrings(List<String> stop) {
        if (stop == null) {
            return List.of();
        }
        if (stop.size() > MAX_STOP_STRINGS) {
            throw OpenAiException.badRequest("stop",
                    "'stop' may hold at most " + MAX_STOP_STRINGS + " strings, got " + stop.size());
        }
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw OpenAiException.badRequest("stop", "'stop' strings must not be empty");
        }
        return stop;
    }
}
