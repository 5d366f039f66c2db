package dev.tandem.engine;

import java.util.Optional;
import dev.tandem.model.SyntheticModel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Engine behaviour on the synthetic model (no shared data needed). */
class LlamaEngineTest {

    private static LoadedModel model;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(Optional.empty());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static int[] prompt(int n, int salt) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 3 + (i * 37 + salt * 11) % 256;
        }
        return t;
    }

    @Test
    void chunkedPrefillEqualsTokenByToken() {
        int[] tokens = prompt(150, 1); // more than one prefill chunk
        KvBlockPool pool = new KvBlockPool(SyntheticModel.LAYERS, model.config().kvDim(), 16, 64);
        try (LlamaEngine engine = new LlamaEngine(model, pool, 2)) {
            KvSequence whole = pool.newSequence();
            float[] a = engine.prefill(whole, tokens);
            KvSequence stepwise = pool.newSequence();
            float[] b = engine.prefill(stepwise, new int[] {tokens[0]});
            for (int i = 1; i < tokens.length; i++) {
                b = engine.decodeStep(List.of(stepwise), new int[] {tokens[i]})[0];
            }
            assertArrayEquals(a, b);
            assertEquals(150, whole.length());
            assertEquals(150, stepwise.length());
        }
    }

    @Test
    void promptsPrefilledTogetherGetTheirOwnLogits() {
        KvBlockPool pool = new KvBlockPool(SyntheticModel.LAYERS, model.config().kvDim(), 16, 64);
        try (LlamaEngine engine = new LlamaEngine(model, pool, 2)) {
            // 3 + 90 + 40 tokens: the chunks of the forward pass cut across sequences
            List<int[]> prompts = List.of(prompt(3, 1), prompt(90, 2), prompt(40, 3));
            List<KvSequence> together = List.of(pool.newSequence(), pool.newSequence(), pool.newSequence());
            float[][] logits = engine.prefill(together, prompts);
            for (int s = 0; s < prompts.size(); s++) {
                KvSequence alone = pool.newSequence();
                assertArrayEquals(engine.prefill(alone, prompts.get(s)), logits[s], "sequence " + s);
                assertEquals(prompts.get(s).length, together.get(s).length());
                // and their KV: the next step gives the same logits
                int[] next = {7};
                assertArrayEquals(engine.decodeStep(List.of(alone), next)[0],
                        engine.decodeStep(List.of(together.get(s)), next)[0], "sequence " + s);
                pool.free(alone);
            }
            together.forEach(pool::free);
            assertEquals(0, pool.usedBlocks());
        }
    }

    @Test
    void batchingAndThreadsDoNotChangeResults() {
        KvBlockPool pool = new KvBlockPool(SyntheticModel.LAYERS, model.config().kvDim(), 16, 64);
        try (LlamaEngine two = new LlamaEngine(model, pool, 2); LlamaEngine one = new LlamaEngine(model, pool, 1)) {
            List<KvSequence> batched = new ArrayList<>();
            List<KvSequence> alone = new ArrayList<>();
            // Five sequences: one group of four through the 4-wide kernel, one left over.
            for (int s = 0; s < 5; s++) {
                KvSequence x = pool.newSequence();
                KvSequence y = pool.newSequence();
                two.prefill(x, prompt(5 + 7 * s, s));
                one.prefill(y, prompt(5 + 7 * s, s));
                batched.add(x);
                alone.add(y);
            }
            int[] next = {10, 20, 30, 40, 50};
            float[][] together = two.decodeStep(batched, next);
            for (int s = 0; s < 5; s++) {
                float[] single = one.decodeStep(List.of(alone.get(s)), new int[] {next[s]})[0];
                assertArrayEquals(single, together[s], "sequence " + s);
            }
        }
    }

    @Test
    void fullPoolThrowsWithoutGrowingSequences() {
        int kvDim = model.config().kvDim();
        KvBlockPool pool = new KvBlockPool(SyntheticModel.LAYERS, kvDim, 4, 3);
        try (LlamaEngine engine = new LlamaEngine(model, pool, 1)) {
            KvSequence big = pool.newSequence();
            KvCapacityException e = assertThrows(KvCapacityException.class, () -> engine.prefill(big, prompt(13, 0)));
            assertEquals(0, big.length());
            assertEquals(0, big.blockCount());
            assertEquals(0, pool.usedBlocks(), e.getMessage());

            KvSequence a = pool.newSequence();
            KvSequence b = pool.newSequence();
            engine.prefill(a, prompt(8, 1)); // 2 blocks, full
            engine.prefill(b, prompt(4, 2)); // 1 block, full
            assertEquals(3, pool.usedBlocks());
            KvCapacityException step = assertThrows(KvCapacityException.class,
                    () -> engine.decodeStep(List.of(a, b), new int[] {5, 6}));
            assertEquals(0, step.sequenceIndex());
            assertEquals(8, a.length());
            assertEquals(4, b.length());
            pool.free(b);
            engine.decodeStep(List.of(a), new int[] {5});
            assertEquals(9, a.length());
        }
    }

    @Test
    void refusesBadInput() {
        KvBlockPool pool = new KvBlockPool(SyntheticModel.LAYERS, model.config().kvDim(), 16, 200);
        try (LlamaEngine engine = new LlamaEngine(model, pool, 1)) {
            KvSequence seq = pool.newSequence();
            assertThrows(IllegalArgumentException.class, () -> engine.prefill(seq, new int[] {SyntheticModel.VOCAB_SIZE}));
            assertThrows(IllegalArgumentException.class, () -> engine.prefill(seq, new int[0]));
            assertThrows(ContextLengthExceededException.class,
                    () -> engine.prefill(seq, new int[SyntheticModel.CONTEXT_LENGTH + 1]));
            assertEquals(0, pool.usedBlocks());
            engine.prefill(seq, new int[] {1});
            assertThrows(IllegalArgumentException.class, () -> engine.decodeStep(List.of(seq, seq), new int[] {1, 2}));
            KvBlockPool other = new KvBlockPool(SyntheticModel.LAYERS, model.config().kvDim(), 16, 1);
            assertThrows(IllegalArgumentException.class, () -> engine.prefill(other.newSequence(), new int[] {1}));
        }
    }
}
