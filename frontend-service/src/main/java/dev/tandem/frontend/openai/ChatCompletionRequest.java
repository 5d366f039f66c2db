package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/** Body of {@code POST /v1/chat/completions}; the fields it does not declare are kept in
 * {@code otherFields} and refused by {@link RequestValidator} (see {@link UnsupportedParams}). */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionRequest(
        String model,
        List<ChatMessage> messages,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("min_p") Double minP,
        Long seed,
        @JsonDeserialize(using = StringListDeserializer.class) List<String> stop,
        Integer n,
        @JsonProperty("ignore_eos") Boolean ignoreEos,
        @JsonProperty("repetition_penalty") Double repetitionPenalty,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("presence_penalty") Double presencePenalty,
        @JsonProperty("logit_bias") Map<String, Double> logitBias,
        @JsonAnySetter Map<String, JsonNode> otherFields) implements GenerationRequest {

    public ChatCompletionRequest {
        otherFields = UnsupportedParams.collected(otherFields);
    }
}
