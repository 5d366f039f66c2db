package dev.tandem.model.sampling;

import java.util.Arrays;

/**
 * Picks the next token from logits. Stateless and thread-safe: the random draw for step
 * {@code step} of a request comes from a hash of (seed, step), so a seeded request gives the same
 * tokens whatever it is batched with, and even when step 0 is sampled by the prefill worker and
 * the rest by a decode worker in another process.
 *
 * <p>Order: temperature, top-k, top-p, min-p, renormalise, draw.
 */
public final class Sampler {

    /**
     * @param seed the request's seed (the caller resolves a missing {@link SamplingParams#seed()})
     * @param step index of the token being generated, 0 for the first (prefill) token
     */
    public int sample(float[] logits, SamplingParams p, long seed, int step) {
        if (p.temperature() == 0f) {
            return argmax(logits);
        }
        int n = logits.length;
        // Softmax of logits / T (relative to the max, so no overflow).
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double invT = 1.0 / p.temperature();
        double[] prob = new double[n];
        for (int i = 0; i < n; i++) {
            prob[i] = Math.exp((logits[i] - max) * invT);
        }

        // Candidates sorted by probability, highest first (ties: lower id first, deterministic).
        int[] order = sortedByProbability(prob);
        int keep = n;
        if (p.topK() > 0 && p.topK() < keep) {
            keep = p.topK();
        }
        if (p.topP() > 0f && p.topP() < 1f) {
            double total = 0;
            for (int i = 0; i < keep; i++) {
                total += prob[order[i]];
            }
            double cumulative = 0;
            for (int i = 0; i < keep; i++) {
                cumulative += prob[order[i]];
                if (cumulative >= p.topP() * total) {
                    keep = i + 1;
                    break;
                }
            }
        }
        if (p.minP() > 0f) {
            double threshold = p.minP() * prob[order[0]];
            int k = 1;
            while (k < keep && prob[order[k]] >= threshold) {
                k++;
            }
            keep = k;
        }
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += prob[order[i]];
        }
        double u = uniform(seed, step) * total;
        double cumulative = 0;
        for (int i = 0; i < keep; i++) {
            cumulative += prob[order[i]];
            if (u < cumulative) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    /** Index of the largest logit, the lowest index on ties. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Token ids ordered by probability, highest first. Sorts packed longs (probability bits, id)
     * instead of boxed indices: fast enough for 128k vocabularies on every step.
     */
    private static int[] sortedByProbability(double[] prob) {
        int n = prob.length;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            // Non-negative floats order like their bit patterns; invert so ascending sort = descending prob.
            long bits = Float.floatToRawIntBits((float) prob[i]) & 0x7FFFFFFFL;
            keys[i] = ((0x7FFFFFFFL - bits) << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** A uniform double in [0, 1) that depends only on (seed, step): SplitMix64 of both. */
    static double uniform(long seed, int step) {
        long z = mix(seed ^ mix(0x5DEECE66DL + step));
        return (z >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
