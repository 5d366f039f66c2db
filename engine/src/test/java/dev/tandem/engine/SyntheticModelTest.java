package dev.tandem.engine;

import dev.tandem.model.ModelCard;

import dev.tandem.model.ModelConfig;
import dev.tandem.model.SyntheticModel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.engine.sampling.Sampler;
import dev.tandem.engine.sampling.SamplingParams;
import dev.tandem.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticModelTest {

    @Test
    void configAndMetadataOnlyLoad() {
        ModelCard m = ModelCard.load(Optional.empty());
        ModelConfig c = m.config();
        assertEquals(SyntheticModel.NAME, c.name());
        assertEquals("llama", c.architecture());
        assertEquals(64, c.dim());
        assertEquals(2, c.numLayers());
        assertEquals(4, c.numHeads());
        assertEquals(2, c.numKvHeads());
        assertEquals(16, c.headDim());
        assertEquals(32, c.kvDim());
        assertEquals(SyntheticModel.VOCAB_SIZE, c.vocabSize());
        assertEquals(c.vocabSize(), m.tokenizer().vocabSize());
    }

    @Test
    void byteLevelTokenizerRoundTrips() {
        Tokenizer tok = SyntheticModel.tokenizer();
        String text = "Hello, wörld! 日本語 🙂\n\tend";
        int[] ids = tok.encode(text, true, false);
        assertEquals(1, ids[0]);
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length + 1, ids.length);
        assertEquals(text, new String(tok.decodeBytes(ids), StandardCharsets.UTF_8));
        assertArrayEquals(new int[] {1, 3 + 'a', 259, 3 + 'b', 2}, tok.encode("<s>a b</s>", false, true));
        assertTrue(tok.isEndOfGeneration(2));
        assertEquals(0, tok.tokenBytes(2).length);
    }

    private static int[] generate(LoadedModel model, int[] prompt, int n, SamplingParams p, long seed) {
        KvBlockPool pool = KvBlockPool.forBudget(model.config(), 4L << 20, 16);
        try (LlamaEngine engine = new LlamaEngine(model, pool, 2)) {
            Sampler sampler = new Sampler();
            KvSequence seq = pool.newSequence();
            float[] logits = engine.prefill(seq, prompt);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = sampler.sample(logits, p, seed, i);
                logits = engine.decodeStep(List.of(seq), new int[] {out[i]})[0];
            }
            return out;
        }
    }

    @Test
    void generatesDeterministically() {
        int[] prompt = SyntheticModel.tokenizer().encode("Once upon a time", true, false);
        try (LoadedModel a = ModelLoader.load(Optional.empty()); LoadedModel b = ModelLoader.load(Optional.empty())) {
            int[] greedyA = generate(a, prompt, 24, SamplingParams.greedy(24), 0);
            int[] greedyB = generate(b, prompt, 24, SamplingParams.greedy(24), 0);
            assertArrayEquals(greedyA, greedyB);
            SamplingParams sampled = new SamplingParams(0.9f, 0.95f, 40, 0.0f, 42L, 24, false, null, null);
            int[] s1 = generate(a, prompt, 24, sampled, 42);
            int[] s2 = generate(b, prompt, 24, sampled, 42);
            assertArrayEquals(s1, s2);
            Set<Integer> distinct = new HashSet<>();
            for (int t : s1) {
                distinct.add(t);
            }
            assertTrue(distinct.size() > 3, "sampled text is degenerate: " + distinct);
        }
    }
}
