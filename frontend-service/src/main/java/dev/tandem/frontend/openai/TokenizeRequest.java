package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /tokenize}, as vLLM has it: {@code {model?, prompt, add_special_tokens?}} or
 * {@code {model?, messages, add_generation_prompt?, add_special_tokens?}}.
 *
 * @param addSpecialTokens null: as the generation endpoints tokenize (BOS for a prompt; for messages, BOS unless
 *                         the chat template wrote it)
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record TokenizeRequest(
        String model,
        @JsonDeserialize(using = PromptDeserializer.class) String prompt,
        List<ChatMessage> messages,
        @JsonProperty("add_generation_prompt") Boolean addGenerationPrompt,
        @JsonProperty("add_special_tokens") Boolean addSpecialTokens,
        @JsonAnySetter Map<String, JsonNode> otherFields) {

    public TokenizeRequest {
        otherFields = UnsupportedParams.collected(otherFields);
    }
}
