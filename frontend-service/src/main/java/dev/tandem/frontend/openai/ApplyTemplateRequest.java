package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/**
 * Body of {@code POST /apply-template} (as llama.cpp's server has it): the messages, with every field a client
 * sends ({@code tool_calls}, {@code tool_call_id}, ...), and the tools, passed to the chat template as they are.
 * Other top-level fields are kept in {@code otherFields} and refused (see {@link UnsupportedParams}).
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApplyTemplateRequest(
        String model,
        JsonNode messages,
        JsonNode tools,
        @JsonProperty("add_generation_prompt") Boolean addGenerationPrompt,
        @JsonAnySetter Map<String, JsonNode> otherFields) {

    public ApplyTemplateRequest {
        otherFields = UnsupportedParams.collected(otherFields);
    }
}
