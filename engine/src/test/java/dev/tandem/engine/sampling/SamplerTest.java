package dev.tandem.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private final Sampler sampler = new Sampler();

    private static float[] randomLogits(int n, long seed) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) r.nextGaussian() * 2;
        }
        return l;
    }

    private static SamplingParams params(float temperature, float topP, int topK, float minP) {
        return new SamplingParams(temperature, topP, topK, minP, 7L, 16, false, null, null);
    }

    @Test
    void greedyIsArgmaxLowestIndexOnTies() {
        float[] logits = {0.5f, 3f, -1f, 3f};
        assertEquals(1, sampler.sample(logits, SamplingParams.greedy(10), 123, 0));
        float[] big = randomLogits(1000, 1);
        int best = 0;
        for (int i = 0; i < big.length; i++) {
            if (big[i] > big[best]) {
                best = i;
            }
        }
        assertEquals(best, sampler.sample(big, SamplingParams.greedy(10), 5, 3));
    }

    @Test
    void topKOneAndTightFiltersEqualGreedy() {
        for (long s = 0; s < 20; s++) {
            float[] logits = randomLogits(500, s);
            int greedy = Sampler.argmax(logits);
            assertEquals(greedy, sampler.sample(logits, params(1f, 1f, 1, 0f), s, (int) s));
            assertEquals(greedy, sampler.sample(logits, params(1.5f, 1e-6f, 0, 0f), s, (int) s));
            assertEquals(greedy, sampler.sample(logits, params(1f, 1f, 0, 1f), s, (int) s));
        }
    }

    @Test
    void seededSamplingIsReproducibleAndVaries() {
        float[] logits = randomLogits(300, 9);
        SamplingParams p = params(1f, 0.9f, 50, 0.01f);
        Set<Integer> seen = new HashSet<>();
        for (int step = 0; step < 50; step++) {
            int a = sampler.sample(logits, p, 42, step);
            int b = new Sampler().sample(logits.clone(), p, 42, step);
            assertEquals(a, b);
            seen.add(a);
        }
        assertTrue(seen.size() > 5, "draws should vary with the step: " + seen);
        int differentSeeds = 0;
        for (int seed = 0; seed < 20; seed++) {
            if (sampler.sample(logits, p, seed, 0) != sampler.sample(logits, p, seed + 1000, 0)) {
                differentSeeds++;
            }
        }
        assertTrue(differentSeeds > 5);
    }

    @Test
    void followsTheDistribution() {
        // Two tokens with probabilities 0.8 / 0.2 at temperature 1.
        float[] logits = {(float) Math.log(0.8), (float) Math.log(0.2), -50f};
        int zeros = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            if (sampler.sample(logits, params(1f, 1f, 0, 0f), i, i % 7) == 0) {
                zeros++;
            }
        }
        assertEquals(0.8, zeros / (double) n, 0.02);
        // top-k 2 never picks the third token; top-p 0.7 keeps only the first.
        for (int i = 0; i < 2000; i++) {
            assertNotEquals(2, sampler.sample(logits, params(5f, 1f, 2, 0f), i, 0));
            assertEquals(0, sampler.sample(logits, params(1f, 0.7f, 0, 0f), i, 0));
        }
    }

    /** The same rules with a plain full sort: the optimised candidate selection must agree with it. */
    private static int naive(float[] logits, SamplingParams p, long seed, int step) {
        int n = logits.length;
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        float[] prob = new float[n];
        for (int i = 0; i < n; i++) {
            prob[i] = Exp.exp((logits[i] - max) * (1f / p.temperature()));
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        boolean filtered = (p.topK() > 0 && p.topK() < n) || (p.topP() > 0 && p.topP() < 1) || p.minP() > 0;
        if (filtered) {
            java.util.Arrays.sort(order, (a, b) -> {
                int c = Float.compare(prob[b], prob[a]);
                return c != 0 ? c : Integer.compare(a, b);
            });
        }
        int keep = p.topK() > 0 && p.topK() < n ? p.topK() : n;
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += prob[order[i]];
        }
        if (p.topP() > 0 && p.topP() < 1) {
            double c = 0;
            for (int i = 0; i < keep; i++) {
                c += prob[order[i]];
                if (c >= p.topP() * total) {
                    keep = i + 1;
                    break;
                }
            }
        }
        if (p.minP() > 0) {
            int k = 1;
            while (k < keep && prob[order[k]] >= p.minP() * prob[order[0]]) {
                k++;
            }
            keep = k;
        }
        double mass = 0;
        for (int i = 0; i < keep; i++) {
            mass += prob[order[i]];
        }
        double target = Sampler.uniform(seed, step) * mass;
        double c = 0;
        int last = order[0];
        for (int i = 0; i < keep; i++) {
            if (prob[order[i]] == 0) {
                continue;
            }
            c += prob[order[i]];
            last = order[i];
            if (target < c) {
                return order[i];
            }
        }
        return last;
    }

    @Test
    void agreesWithAFullSortReference() {
        Random r = new Random(3);
        for (int trial = 0; trial < 400; trial++) {
            float[] logits = randomLogits(50 + r.nextInt(3000), trial);
            float temperature = 0.2f + 2 * r.nextFloat();
            float topP = r.nextInt(3) == 0 ? 1f : 0.05f + 0.9f * r.nextFloat();
            int topK = r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(100);
            float minP = r.nextInt(3) == 0 ? 0f : 0.3f * r.nextFloat();
            SamplingParams p = new SamplingParams(temperature, topP, topK, minP, null, 1, false, null, null);
            assertEquals(naive(logits, p, trial, trial % 5), sampler.sample(logits, p, trial, trial % 5), p.toString());
        }
    }

    @Test
    void validatesParams() {
        assertThrows(IllegalArgumentException.class, () -> params(-1f, 1f, 0, 0f));
        assertThrows(IllegalArgumentException.class, () -> params(Float.NaN, 1f, 0, 0f));
        assertEquals(0, SamplingParams.greedy(5).stopTokenIds().length);
        assertTrue(SamplingParams.greedy(5).isGreedy());
    }
}
