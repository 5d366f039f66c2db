package dev.tandem.engine.sampling;

import java.util.Arrays;

import dev.tandem.engine.simd.VectorSupport;

/**
 * Picks the next token from logits. Stateless and thread-safe: the random draw for step
 * {@code step} of a request comes from a hash of (seed, step), so a seeded request gives the same
 * tokens whatever it is batched with, and even when step 0 is sampled by the prefill worker and
 * the rest by a decode worker in another process.
 *
 * <p>Order: temperature, top-k, top-p, min-p, renormalise, draw. Only the tokens that can survive
 * the filters are sorted, so a 128k vocabulary does not cost a full sort per token. The dense loops (the
 * maximum, the softmax numerators) run on vectors ({@link Exp}).
 */
public final class Sampler {

    /**
     * Picks a sequence's next token: applies its penalties to {@code logits} (in place), then samples step
     * {@code history.generated()}. The caller records the token in the history.
     */
    public int sample(float[] logits, SamplingParams p, long seed, TokenHistory history) {
        if (!p.penalties().isNone()) {
            p.penalties().apply(logits, history);
        }
        return sample(logits, p, seed, history.generated());
    }

    /**
     * As {@link #sample(float[], SamplingParams, long, TokenHistory)}, choosing only among the tokens
     * {@code constraint} allows (after the penalties, before temperature and truncation); null = no constraint.
     */
    public int sample(float[] logits, SamplingParams p, long seed, TokenHistory history, TokenConstraint constraint) {
        if (constraint == null) {
            return sample(logits, p, seed, history);
        }
        if (!p.penalties().isNone()) {
            p.penalties().apply(logits, history);
        }
        constraint.mask(logits);
        return sample(logits, p, seed, history.generated());
    }

    /**
     * @param seed the request's seed (the caller resolves a missing {@link SamplingParams#seed()})
     * @param step index of the token being generated, 0 for the first (prefill) token
     */
    public int sample(float[] logits, SamplingParams p, long seed, int step) {
        if (p.temperature() == 0f) {
            return argmax(logits);
        }
        int n = logits.length;
        double u = uniform(seed, step);

        // Unnormalised softmax of logits / T, relative to the max so nothing overflows.
        int top = argmax(logits);
        float[] prob = new float[n];
        Exp.shifted(logits, logits[top], 1f / p.temperature(), prob);
        double all = 0;
        for (float v : prob) {
            all += v;
        }
        boolean topK = p.topK() > 0 && p.topK() < n;
        boolean topP = p.topP() > 0f && p.topP() < 1f;
        boolean minP = p.minP() > 0f;
        if (!topK && !topP && !minP) {
            // No filter: draw over the whole distribution, no sorting needed.
            return draw(prob, null, n, u * all);
        }

        // The candidates, highest probability first (ties: lower id first).
        int[] order;
        double total; // mass the top-p fraction refers to: after top-k
        if (topK) {
            order = sortedAbove(prob, kthLargest(prob, p.topK()), p.topK());
            total = 0;
            for (int id : order) {
                total += prob[id];
            }
        } else {
            total = all;
            order = topP ? nucleusCandidates(prob, p.topP() * all) : sortedAbove(prob, p.minP() * prob[top], n);
        }
        int keep = order.length;
        if (topP) {
            double cumulative = 0;
            for (int i = 0; i < keep; i++) {
                cumulative += prob[order[i]];
                if (cumulative >= p.topP() * total) {
                    keep = i + 1;
                    break;
                }
            }
        }
        if (minP) {
            // prob[top] is 1 (it is the max) and always the first candidate.
            double threshold = p.minP() * prob[top];
            int k = 1;
            while (k < keep && prob[order[k]] >= threshold) {
                k++;
            }
            keep = k;
        }
        double mass = 0;
        for (int i = 0; i < keep; i++) {
            mass += prob[order[i]];
        }
        return draw(prob, order, keep, u * mass);
    }

    /** The first token (in {@code order}, or id order when null) at which the cumulative mass passes {@code target}. */
    private static int draw(float[] prob, int[] order, int count, double target) {
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < count; i++) {
            int id = order == null ? i : order[i];
            if (prob[id] == 0) {
                continue;
            }
            cumulative += prob[id];
            last = id;
            if (target < cumulative) {
                return id;
            }
        }
        return last;
    }

    /**
     * Candidates that certainly contain the top-p nucleus: tokens above a threshold that is
     * lowered until they hold the required mass (the nucleus is a prefix of the sorted order, so
     * it lies inside any prefix that already reaches its mass).
     */
    private static int[] nucleusCandidates(float[] prob, double mass) {
        for (double threshold = 1e-3; threshold > 1e-30; threshold *= 1e-3) {
            double sum = 0;
            for (float v : prob) {
                if (v >= threshold) {
                    sum += v;
                }
            }
            if (sum >= mass) {
                return sortedAbove(prob, threshold, prob.length);
            }
        }
        return sortedAbove(prob, 0, prob.length);
    }

    /** The k-th largest probability (k ≥ 1). */
    private static double kthLargest(float[] prob, int k) {
        // A size-k min-heap of the largest values seen.
        double[] heap = new double[k];
        int size = 0;
        for (float v : prob) {
            if (size < k) {
                heap[size] = v;
                siftUp(heap, size++);
            } else if (v > heap[0]) {
                heap[0] = v;
                siftDown(heap, k);
            }
        }
        return heap[0];
    }

    private static void siftUp(double[] h, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (h[parent] <= h[i]) {
                return;
            }
            double t = h[parent];
            h[parent] = h[i];
            h[i] = t;
            i = parent;
        }
    }

    private static void siftDown(double[] h, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int min = i;
            if (l < size && h[l] < h[min]) {
                min = l;
            }
            if (r < size && h[r] < h[min]) {
                min = r;
            }
            if (min == i) {
                return;
            }
            double t = h[min];
            h[min] = h[i];
            h[i] = t;
            i = min;
        }
    }

    /**
     * Ids with probability ≥ threshold, highest first (ties: lower id first), at most {@code limit}.
     * Sorts packed longs (probability bits, id) rather than boxed indices.
     */
    private static int[] sortedAbove(float[] prob, double threshold, int limit) {
        long[] keys = new long[prob.length];
        int count = 0;
        for (int i = 0; i < prob.length; i++) {
            if (prob[i] >= threshold && prob[i] > 0) {
                // Positive floats order like their bit patterns (ties fall back to the id).
                long bits = Float.floatToRawIntBits(prob[i]) & 0x7FFFFFFFL;
                keys[count++] = ((0x7FFFFFFFL - bits) << 32) | i;
            }
        }
        Arrays.sort(keys, 0, count);
        int[] order = new int[Math.min(count, limit)];
        for (int i = 0; i < order.length; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** Index of the largest logit, the lowest index on ties. */
    public static int argmax(float[] logits) {
        if (VectorSupport.ENABLED) {
            float max = VectorSampling.max(logits);
            for (int i = 0; i < logits.length; i++) {
                if (logits[i] == max) {
                    return i;
                }
            }
            // NaN among the logits: the scalar rule below (NaN never wins)
        }
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
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
