package dev.tandem.frontend.openai;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The {@code logprobs} of a choice, in OpenAI's two shapes: chat's ({@code content[]} of tokens, each with its
 * UTF-8 {@code bytes} and {@code top_logprobs}) and the legacy completions' (parallel lists).
 */
public final class Logprobs {

    private Logprobs() {
    }

    /** Chat: {@code choices[i].logprobs}. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Chat(List<ChatToken> content) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"token", "logprob", "bytes", "top_logprobs"})
    public record ChatToken(String token, double logprob, List<Integer> bytes,
            @JsonProperty("top_logprobs") List<ChatTop> topLogprobs) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"token", "logprob", "bytes"})
    public record ChatTop(String token, double logprob, List<Integer> bytes) {
    }

    /** Completions: {@code choices[i].logprobs}, one entry per token in each list. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"tokens", "token_logprobs", "top_logprobs", "text_offset"})
    public record Completion(List<String> tokens, @JsonProperty("token_logprobs") List<Double> tokenLogprobs,
            @JsonProperty("top_logprobs") List<Map<String, Double>> topLogprobs,
            @JsonProperty("text_offset") List<Integer> textOffset) {
    }
}
