package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Answer of {@code POST /tokenize}, as vLLM's: the ids, how many, and the model's context length. */
@RegisterForReflection
public record TokenizeResponse(int[] tokens, int count, @JsonProperty("max_model_len") int maxModelLen) {

    public static TokenizeResponse of(int[] tokens, int contextLength) {
        return new TokenizeResponse(tokens, tokens.length, contextLength);
    }
}
