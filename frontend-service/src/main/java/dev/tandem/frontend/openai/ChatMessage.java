package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/**
 * One chat message; {@code content} is already flattened to text (see {@link MessageContentDeserializer}).
 * {@code name} (the participant's name) is passed to the chat template; other fields are kept in
 * {@code otherFields}: {@code tool_calls} and {@code tool_call_id} are checked by {@link RequestValidator} and passed
 * to the template, the rest refused.
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatMessage(String role, @JsonDeserialize(using = MessageContentDeserializer.class) String content,
        String name, @JsonAnySetter Map<String, JsonNode> otherFields) {

    public ChatMessage {
        otherFields = UnsupportedParams.collected(otherFields);
    }

    public ChatMessage(String role, String content) {
        this(role, content, null, Map.of());
    }
}
