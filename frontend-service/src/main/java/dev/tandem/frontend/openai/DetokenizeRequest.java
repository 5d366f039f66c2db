package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/** Body of {@code POST /detokenize}, as vLLM has it: {@code {model?, tokens}}. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record DetokenizeRequest(String model, List<Integer> tokens, @JsonAnySetter Map<String, JsonNode> otherFields) {

    public DetokenizeRequest {
        otherFields = UnsupportedParams.collected(otherFields);
    }
}
