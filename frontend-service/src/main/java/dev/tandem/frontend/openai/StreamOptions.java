package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/** {@code stream_options}; other fields (vLLM's {@code continuous_usage_stats}, ...) are refused by name. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage,
        @JsonAnySetter Map<String, JsonNode> otherFields) {

    public StreamOptions {
        otherFields = UnsupportedParams.collected(otherFields);
    }
}
