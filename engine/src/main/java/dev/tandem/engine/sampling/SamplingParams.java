package dev.tandem.engine.sampling;

import java.util.Arrays;

/**
 * How to pick tokens from logits.
 *
 * @param temperature 0 = greedy (argmax)
 * @param topP        nucleus mass to keep; values ≤ 0 or ≥ 1 turn it off
 * @param topK        most likely tokens to keep; ≤ 0 turns it off
 * @param minP        drop tokens less likely than minP × the top token's probability; ≤ 0 turns it off
 * @param seed        the request's seed, null when the client gave none (the worker then picks one)
 * @param maxTokens   tokens to generate, the first (prefill) token included
 * @param ignoreEos   keep generating past end-of-generation tokens
 * @param stopTokenIds extra token ids that end generation
 * @param penalties   repetition, frequency and presence penalties and logit bias; null = none
 */
public record SamplingParams(float temperature, float topP, int topK, float minP, Long seed, int maxTokens,
                             boolean ignoreEos, int[] stopTokenIds, Penalties penalties) {

    public SamplingParams {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (Float.isNaN(topP) || Float.isNaN(minP)) {
            throw new IllegalArgumentException("top_p and min_p must be numbers");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max_tokens must be >= 0, got " + maxTokens);
        }
        stopTokenIds = stopTokenIds == null ? new int[0] : stopTokenIds.clone();
        penalties = penalties == null ? Penalties.NONE : penalties;
    }

    /** Greedy decoding of up to {@code maxTokens} tokens. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0f, 1f, 0, 0f, null, maxTokens, false, new int[0], Penalties.NONE);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    @Override
    public int[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamplingParams p && Float.compare(temperature, p.temperature) == 0
                && Float.compare(topP, p.topP) == 0 && topK == p.topK && Float.compare(minP, p.minP) == 0
                && java.util.Objects.equals(seed, p.seed) && maxTokens == p.maxTokens && ignoreEos == p.ignoreEos
                && Arrays.equals(stopTokenIds, p.stopTokenIds) && penalties.equals(p.penalties);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(temperature, topP, topK, minP, seed, maxTokens, ignoreEos, Arrays.hashCode(stopTokenIds),
                penalties);
    }

    @Override
    public String toString() {
        return "SamplingParams[temperature=" + temperature + ", topP=" + topP + ", topK=" + topK + ", minP=" + minP
                + ", seed=" + seed + ", maxTokens=" + maxTokens + ", ignoreEos=" + ignoreEos + ", stopTokenIds="
                + Arrays.toString(stopTokenIds) + ", penalties=" + penalties + "]";
    }
}
