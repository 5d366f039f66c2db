package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code POST /apply-template} (as llama.cpp's server has it): the messages, with every field a client
 * sends ({@code tool_calls}, {@code tool_call_id}, ...), and the tools, passed to the chat template as they are.
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApplyTemplateRequest(
        String model,
        JsonNode messages,
        JsonNode tools,
        @JsonProperty("add_generation_prompt") Boolean addGenerationPrompt) {
}
