package dev.tandem.engine.sampling;

import java.util.Arrays;

/**
 * The logprob of a sampled token and the {@code k} most likely tokens, from one step's logits. The distribution is
 * vLLM's default: the log-softmax of the logits as the sampler saw them after penalties and logit bias, before
 * temperature and truncation (top-k, top-p, min-p). Only the top {@code k} leave the worker, never the vocabulary.
 *
 * @param logprob    natural log of the chosen token's probability (≤ 0)
 * @param topIds     the most likely tokens, highest first (ties: lower id first)
 * @param topLogprobs their logprobs, in the same order
 */
public record LogProbs(int token, float logprob, int[] topIds, float[] topLogprobs) {

    /** The most top entries a request may ask for (OpenAI's chat limit). */
    public static final int MAX_TOP = 20;

    public LogProbs {
        topIds = topIds.clone();
        topLogprobs = topLogprobs.clone();
    }

    /**
     * @param logits the logits after penalties and logit bias (what {@link Sampler#sample(float[], SamplingParams, long,
     *               TokenHistory)} leaves in its array), not modified
     * @param token  the sampled token
     * @param k      top entries to keep, 0 to {@link #MAX_TOP}
     */
    public static LogProbs of(float[] logits, int token, int k) {
        int n = logits.length;
        k = Math.max(0, Math.min(k, n));
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            if (v > max) {
                max = v;
            }
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp((double) v - max);
        }
        double logSum = max + Math.log(sum);
        // the k largest by a small insertion-sorted buffer: k ≤ 20, so one pass over the vocabulary
        int[] ids = new int[k];
        float[] values = new float[k];
        int size = 0;
        for (int i = 0; i < n && k > 0; i++) {
            float v = logits[i];
            if (size == k && !(v > values[k - 1])) {
                continue; // not above the smallest kept (a tie keeps the lower id already there)
            }
            int at = size < k ? size++ : k - 1;
            while (at > 0 && v > values[at - 1]) {
                values[at] = values[at - 1];
                ids[at] = ids[at - 1];
                at--;
            }
            values[at] = v;
            ids[at] = i;
        }
        float[] top = new float[size];
        for (int i = 0; i < size; i++) {
            top[i] = (float) (values[i] - logSum);
        }
        return new LogProbs(token, (float) (logits[token] - logSum), Arrays.copyOf(ids, size), top);
    }

    @Override
    public int[] topIds() {
        return topIds.clone();
    }

    @Override
    public float[] topLogprobs() {
        return topLogprobs.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogProbs l && token == l.token && Float.compare(logprob, l.logprob) == 0
                && Arrays.equals(topIds, l.topIds) && Arrays.equals(topLogprobs, l.topLogprobs);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * token + Float.hashCode(logprob)) + Arrays.hashCode(topIds);
    }

    @Override
    public String toString() {
        return "LogProbs[token=" + token + ", logprob=" + logprob + ", top=" + Arrays.toString(topIds) + " "
                + Arrays.toString(topLogprobs) + "]";
    }
}
