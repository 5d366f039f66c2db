package dev.tandem.frontend.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.chattemplate.Json;
import dev.tandem.chattemplate.Template;
import dev.tandem.chattemplate.TemplateException;
import dev.tandem.frontend.openai.ChatMessage;
import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Renders chat messages into the prompt text a model was trained on, from the Jinja template in its
 * GGUF ({@code tokenizer.chat_template}), exactly as Hugging Face's {@code apply_chat_template} (Jinja2) renders it:
 * the {@code chat-template} module's engine, with {@code bos_token} / {@code eos_token} from the model's vocabulary,
 * {@code tools} when the request offers them and tool-call {@code arguments} as objects. Immutable and
 * thread-safe: build one per served model.
 *
 * <p>A model without a template (a base model) gets a fallback that joins the contents with
 * {@code "\n"} and adds nothing else, so a one-message chat is exactly a completion of that text.
 */
public final class ChatTemplate {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Template template;
    /** Whether the template reads {@code tools}; when not, offered tools get the default preamble. */
    private final boolean templateTakesTools;
    private final TemplateException parseError;
    private final String bosToken;
    private final String eosToken;

    /**
     * @param template the Jinja source; empty for the fallback
     * @param bosToken text of the BOS token ({@code bos_token} in the template), "" if none
     * @param eosToken text of the EOS token ({@code eos_token} in the template), "" if none
     */
    public ChatTemplate(Optional<String> template, String bosToken, String eosToken) {
        Template parsed = null;
        TemplateException error = null;
        if (template.isPresent()) {
            try {
                parsed = Template.parse(template.get());
            } catch (TemplateException e) {
                // Reported when rendering rather than thrown here: a model whose template is broken can
                // still serve text completions.
                error = e;
            }
        }
        this.template = parsed;
        this.templateTakesTools = template.isPresent() && template.get().contains("tools");
        this.parseError = error;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
    }

    /** The template and special-token texts of a model's tokenizer. */
    public static ChatTemplate of(Tokenizer tokenizer) {
        return new ChatTemplate(tokenizer.chatTemplate(), tokenizer.bosText(), tokenizer.eosText());
    }

    /**
     * @param addGenerationPrompt end with the text that opens an assistant turn, so that the model
     *                            writes the answer
     * @throws OpenAiException 400 on {@code messages} when the template fails or rejects the conversation
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, null, addGenerationPrompt);
    }

    /**
     * @param tools the request's tools in OpenAI's function format ({@code {"type": "function", "function":
     *              {...}}}), or null when it offers none: then {@code tools} is undefined in the template, as in
     *              Hugging Face's {@code apply_chat_template}
     * @throws OpenAiException 400 on {@code messages} when the template fails or rejects the conversation
     */
    public String render(List<ChatMessage> messages, List<?> tools, boolean addGenerationPrompt) {
        boolean usesTools = tools != null || messages.stream().anyMatch(ChatTemplate::isToolMessage);
        if (template == null && parseError == null && !usesTools) {
            return messages.stream().map(ChatTemplate::contentOf).collect(Collectors.joining("\n"));
        }
        List<Map<String, Object>> templateMessages = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", message.role());
            m.put("content", contentOf(message));
            if (message.name() != null) {
                m.put("name", message.name());
            }
            for (String field : List.of("tool_calls", "tool_call_id")) {
                if (message.otherFields().get(field) != null && !message.otherFields().get(field).isNull()) {
                    m.put(field, Json.fromJackson(message.otherFields().get(field)));
                }
            }
            templateMessages.add(m);
        }
        if (template == null && parseError == null) {
            return DefaultToolFormat.render(templateMessages, tools);
        }
        if (!templateTakesTools && usesTools) {
            return renderMessages(DefaultToolFormat.inline(templateMessages, tools), null, addGenerationPrompt);
        }
        return renderMessages(templateMessages, tools, addGenerationPrompt);
    }

    private static boolean isToolMessage(ChatMessage message) {
        return "tool".equals(message.role()) || message.otherFields().get("tool_calls") != null
                && message.otherFields().get("tool_calls").isArray() && !message.otherFields().get("tool_calls").isEmpty();
    }

    /**
     * Renders messages given as JSON values, with every field a client sent ({@code tool_calls}, {@code name},
     * {@code tool_call_id}, ...), as {@code POST /apply-template} receives them. {@code developer} becomes
     * {@code system}; tool-call {@code arguments} sent as a JSON string are passed as the object it encodes.
     *
     * @throws OpenAiException 400 on {@code messages} when the template fails or rejects the conversation
     */
    public String renderMessages(List<Map<String, Object>> messages, List<?> tools, boolean addGenerationPrompt) {
        if (template == null && parseError == null) {
            return messages.stream().map(m -> m.get("content") instanceof String s ? s : "")
                    .collect(Collectors.joining("\n"));
        }
        if (parseError != null) {
            throw failure(parseError);
        }
        Map<String, Object> variables = new HashMap<>();
        variables.put("messages", messages.stream().map(ChatTemplate::asTemplateMessage).toList());
        variables.put("add_generation_prompt", addGenerationPrompt);
        variables.put("bos_token", bosToken);
        variables.put("eos_token", eosToken);
        if (tools != null) {
            variables.put("tools", tools);
        }
        try {
            return template.render(variables);
        } catch (TemplateException e) {
            throw failure(e);
        }
    }

    /** Templates know system/user/assistant/tool; {@code developer} is OpenAI's newer name for system. */
    private static Map<String, Object> asTemplateMessage(Map<String, Object> message) {
        Map<String, Object> m = new LinkedHashMap<>(message);
        if ("developer".equals(m.get("role"))) {
            m.put("role", "system");
        }
        if (m.get("tool_calls") instanceof List<?> calls) {
            m.put("tool_calls", calls.stream().map(ChatTemplate::withObjectArguments).toList());
        }
        return m;
    }

    /** OpenAI sends {@code function.arguments} as a JSON string; Hugging Face templates expect the object. */
    private static Object withObjectArguments(Object call) {
        if (!(call instanceof Map<?, ?> c) || !(c.get("function") instanceof Map<?, ?> f)
                || !(f.get("arguments") instanceof String arguments)) {
            return call;
        }
        Object parsed;
        try {
            parsed = Json.fromJackson(JSON.readTree(arguments));
        } catch (JsonProcessingException e) {
            return call;
        }
        Map<Object, Object> function = new LinkedHashMap<>(f);
        function.put("arguments", parsed);
        Map<Object, Object> out = new LinkedHashMap<>(c);
        out.put("function", function);
        return out;
    }

    private static String contentOf(ChatMessage message) {
        return message.content() == null ? "" : message.content();
    }

    private static OpenAiException failure(TemplateException e) {
        return OpenAiException.badRequest("messages", "chat template failed: " + e.getMessage());
    }
}
