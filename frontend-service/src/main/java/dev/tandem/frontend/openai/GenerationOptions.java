package dev.tandem.frontend.openai;

import java.util.List;
import java.util.Map;

/**
 * A validated request's generation settings, defaults applied.
 *
 * @param maxTokens null: generate until the context is full (or a stop condition)
 * @param topK      0: top-k sampling off
 * @param seed      null: seed from entropy
 * @param stop      never null; empty when no stop strings
 * @param logitBias token id → bias; never null
 * @param jsonSchema structured output: the JSON schema the output must follow; null = free text
 * @param logprobs  null: no logprobs; else each token's logprob with this many most likely alternatives
 * @param n         choices to generate for the prompt, 1 to {@link RequestValidator#MAX_N}
 */
public record GenerationOptions(
        String model,
        boolean stream,
        boolean includeUsage,
        Integer maxTokens,
        float temperature,
        float topP,
        int topK,
        float minP,
        Long seed,
        boolean ignoreEos,
        List<String> stop,
        float repetitionPenalty,
        float frequencyPenalty,
        float presencePenalty,
        Map<Integer, Float> logitBias,
        String jsonSchema,
        Integer logprobs,
        int n) {

    public GenerationOptions(String model, boolean stream, boolean includeUsage, Integer maxTokens, float temperature,
            float topP, int topK, float minP, Long seed, boolean ignoreEos, List<String> stop, float repetitionPenalty,
            float frequencyPenalty, float presencePenalty, Map<Integer, Float> logitBias) {
        this(model, stream, includeUsage, maxTokens, temperature, topP, topK, minP, seed, ignoreEos, stop,
                repetitionPenalty, frequencyPenalty, presencePenalty, logitBias, null, null, 1);
    }
}
