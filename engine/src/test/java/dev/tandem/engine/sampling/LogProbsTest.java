package dev.tandem.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.tandem.engine.LlamaEngine;
import dev.tandem.engine.LoadedModel;
import dev.tandem.engine.ModelLoader;
import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.model.SyntheticModel;

class LogProbsTest {

    @Test
    void smallExampleByHand() {
        float[] logits = {1f, 3f, 2f, 3f};
        LogProbs lp = LogProbs.of(logits, 2, 3);
        double logSum = Math.log(Math.exp(1) + 2 * Math.exp(3) + Math.exp(2));
        assertEquals(2 - logSum, lp.logprob(), 1e-6);
        assertArrayEquals(new int[] {1, 3, 2}, lp.topIds()); // ties: lower id first
        assertEquals(3 - logSum, lp.topLogprobs()[0], 1e-6);
        assertEquals(0, LogProbs.of(logits, 0, 0).topIds().length);
    }

    /** The engine's own logits for the synthetic model, log-softmaxed here in double, against LogProbs. */
    @Test
    void matchesLogSoftmaxOfTheEnginesLogitsAfterPenalties() {
        int[] prompt = SyntheticModel.tokenizer().encode("Once upon a time", true, false);
        try (LoadedModel model = ModelLoader.load(Optional.empty())) {
            KvBlockPool pool = KvBlockPool.forBudget(model.config(), 4L << 20, 16);
            try (LlamaEngine engine = new LlamaEngine(model, pool, 2)) {
                Sampler sampler = new Sampler();
                SamplingParams greedy = new SamplingParams(0f, 1f, 0, 0f, 7L, 12, false, null,
                        new Penalties(1.3f, 0.2f, 0.1f, Map.of(5, 2.5f)));
                SamplingParams sampled = new SamplingParams(0.8f, 0.9f, 20, 0f, 7L, 12, false, null, null);
                for (SamplingParams p : List.of(greedy, sampled)) {
                    KvSequence seq = pool.newSequence();
                    TokenHistory history = TokenHistory.ofPrompt(prompt);
                    float[] logits = engine.prefill(seq, prompt);
                    for (int step = 0; step < 12; step++) {
                        float[] raw = logits.clone();
                        int token = sampler.sample(logits, p, 7L, history);
                        // what the sampler saw: the penalties applied to the engine's logits
                        float[] expected = raw.clone();
                        if (!p.penalties().isNone()) {
                            p.penalties().apply(expected, history);
                        }
                        LogProbs lp = LogProbs.of(logits, token, 20);
                        double max = Double.NEGATIVE_INFINITY;
                        for (float v : expected) {
                            max = Math.max(max, v);
                        }
                        double sum = 0;
                        for (float v : expected) {
                            sum += Math.exp(v - max);
                        }
                        double logSum = max + Math.log(sum);
                        assertEquals(expected[token] - logSum, lp.logprob(), 1e-4);
                        assertTrue(lp.logprob() <= 0);
                        float[] top = lp.topLogprobs();
                        int[] ids = lp.topIds();
                        assertEquals(20, ids.length);
                        double mass = 0;
                        for (int i = 0; i < ids.length; i++) {
                            assertEquals(expected[ids[i]] - logSum, top[i], 1e-4);
                            assertTrue(i == 0 || top[i] <= top[i - 1], "sorted descending");
                            mass += Math.exp(top[i]);
                        }
                        assertTrue(mass <= 1 + 1e-5);
                        if (p.isGreedy()) {
                            assertEquals(token, ids[0], "the greedy token is the top entry");
                        }
                        history.add(token);
                        logits = engine.decodeStep(List.of(seq), new int[] {token})[0];
                    }
                }
            }
        }
    }
}
