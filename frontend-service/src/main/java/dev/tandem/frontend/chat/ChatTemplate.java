package dev.tandem.frontend.chat;

import dev.tandem.frontend.openai.ChatMessage;
import dev.tandem.tokenizer.Tokenizer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Renders chat messages into the prompt text a model was trained on, from the Jinja template in its
 * GGUF ({@code tokenizer.chat_template}). Immutable and thread-safe: build one per served model.
 *
 * <p>A model without a template (a base model) gets a fallback that joins the contents with
 * {@code "\n"} and adds nothing else, so a one-message chat is exactly a completion of that text.
 */
public final class ChatTemplate {

    private final JinjaTemplate template;
    private final String bosToken;
    private final String eosToken;

    /**
     * @param template the Jinja source; empty for the fallback
     * @param bosToken text of the BOS token ({@code bos_token} in the template), "" if none
     * @param eosToken text of the EOS token ({@code eos_token} in the template), "" if none
     */
    public ChatTemplate(Optional<String> template, String bosToken, String eosToken) {
        this.template = template.map(JinjaTemplate::new).orElse(null);
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
     * @throws dev.tandem.frontend.openai.OpenAiException 400 on {@code messages} when the template
     *                                                    fails or rejects the conversation
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (template == null) {
            return messages.stream().map(ChatTemplate::contentOf).collect(Collectors.joining("\n"));
        }
        return template.render(Map.of(
                "messages", messages.stream().map(ChatTemplate::asTemplateMessage).toList(),
                "add_generation_prompt", addGenerationPrompt,
                "bos_token", bosToken,
                "eos_token", eosToken));
    }

    /** Templates know system/user/assistant; {@code developer} is OpenAI's newer name for system. */
    private static Map<String, Object> asTemplateMessage(ChatMessage message) {
        String role = message.role().equals("developer") ? "system" : message.role();
        return Map.of("role", role, "content", contentOf(message));
    }

    private static String contentOf(ChatMessage message) {
        return message.content() == null ? "" : message.content();
    }
}
