package dev.tandem.engine.kv;

import dev.tandem.engine.sampling.SamplingParams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.engine.LlamaEngine;
import dev.tandem.engine.LoadedModel;
import dev.tandem.engine.ModelLoader;
import dev.tandem.engine.sampling.Sampler;
import dev.tandem.testing.SharedData;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The pool's prefix cache: keys, sharing, eviction, accounting, and that reused KV computes what fresh KV does. */
class PrefixCacheTest {

    private static int[] tokens(int n, int salt) {
        return IntStream.range(0, n).map(i -> 3 + (i * 37 + salt * 11) % 256).toArray();
    }

    /** A sequence that "computed" {@code prompt} (its K/V data does not matter to the cache's bookkeeping). */
    private static KvSequence filled(KvBlockPool pool, int[] prompt) {
        KvSequence seq = pool.newSequence();
        assertTrue(pool.reserve(seq, prompt.length));
        pool.append(seq, prompt);
        return seq;
    }

    @Test
    void fullBlocksAreSharedByPrefixAndRefcounted() {
        KvBlockPool pool = new KvBlockPool(1, 4, 16, 10);
        int[] prompt = tokens(40, 1); // two full blocks and a partial one
        KvSequence a = filled(pool, prompt);
        int[] aBlocks = a.blockIds();

        KvSequence b = pool.newSequence();
        assertEquals(32, pool.reuseCachedPrefix(b, prompt), "both full blocks of the same prompt are cached");
        assertArrayEquals(Arrays.copyOf(aBlocks, 2), b.blockIds(), "shared, not copied");
        assertEquals(32, b.length());
        assertEquals(3, pool.usedBlocks(), "shared blocks count once");

        pool.free(a);
        assertEquals(2, pool.usedBlocks(), "b still holds the shared blocks");
        assertEquals(0, pool.cachedBlocks());
        pool.free(b);
        assertEquals(0, pool.usedBlocks());
        assertEquals(2, pool.cachedBlocks(), "released full blocks stay cached");
        assertEquals(10, pool.freeBlocks(), "cached blocks nobody holds count as free");

        int[] sameFirstBlock = prompt.clone();
        sameFirstBlock[20]++;
        KvSequence c = pool.newSequence();
        assertEquals(16, pool.reuseCachedPrefix(c, sameFirstBlock), "the chain stops at the first different block");
        assertEquals(1, pool.cachedBlocks());
        int[] otherStart = prompt.clone();
        otherStart[0]++;
        KvSequence d = pool.newSequence();
        assertEquals(0, pool.reuseCachedPrefix(d, otherStart), "a block's key covers the whole prefix before it");
        pool.free(c);
        pool.free(d);
        assertEquals(0, pool.usedBlocks());
        assertEquals(10, pool.freeBlocks());
    }

    @Test
    void theLastPromptTokenIsAlwaysComputed() {
        KvBlockPool pool = new KvBlockPool(1, 4, 16, 10);
        int[] prompt = tokens(32, 2);
        pool.free(filled(pool, prompt));
        KvSequence again = pool.newSequence();
        assertEquals(16, pool.reuseCachedPrefix(again, prompt), "an exact multiple leaves its last block to compute");
        // Computing that block again finds its key taken: the new copy stays private and is not cached on release.
        assertTrue(pool.reserve(again, 32));
        pool.append(again, Arrays.copyOfRange(prompt, 16, 32));
        pool.free(again);
        assertEquals(2, pool.cachedBlocks());
        assertEquals(0, pool.usedBlocks());
        assertEquals(10, pool.freeBlocks());
    }

    @Test
    void cachedBlocksAreEvictedOnlyWhenNeededTailFirst() {
        KvBlockPool pool = new KvBlockPool(1, 4, 16, 4);
        int[] prompt = tokens(33, 3);
        pool.free(filled(pool, prompt)); // 2 cached, 2 never used
        KvSequence other = pool.newSequence();
        assertTrue(pool.reserve(other, 16 * 3), "never-used blocks first, then one cached block");
        assertEquals(1, pool.cachedBlocks());
        KvSequence probe = pool.newSequence();
        assertEquals(16, pool.reuseCachedPrefix(probe, prompt), "the prompt's tail block went first, its head survived");
        pool.free(probe);
        assertTrue(pool.reserve(other, 16 * 4));
        assertEquals(0, pool.cachedBlocks());
        KvSequence none = pool.newSequence();
        assertEquals(0, pool.reuseCachedPrefix(none, prompt));
        assertTrue(!pool.reserve(none, 1), "every block is held");
        pool.free(other);
        pool.free(none);
        assertEquals(4, pool.freeBlocks());
        assertEquals(0, pool.cachedBlocks(), "blocks reused for other data left the cache");
    }

    @Test
    void sharedBlocksCannotBeOverwritten() {
        KvBlockPool pool = new KvBlockPool(1, 4, 16, 4);
        int[] prompt = tokens(20, 4);
        KvSequence a = filled(pool, prompt);
        ByteBuffer data = ByteBuffer.allocate(pool.transferBytes(16));
        assertThrows(IllegalStateException.class, () -> pool.importBlock(a, 0, 16, data, data.duplicate()),
                "a cached block is read-only");
        assertThrows(IllegalArgumentException.class, () -> a.setLength(8), "nor can a length move back into it");
        assertThrows(IllegalArgumentException.class, () -> pool.reuseCachedPrefix(a, prompt), "only empty sequences");
        pool.free(a);
    }

    @Test
    void withoutPrefixCachingNothingIsShared() {
        KvBlockPool pool = new KvBlockPool(1, 4, 16, 4, false);
        int[] prompt = tokens(40, 5);
        pool.free(filled(pool, prompt));
        KvSequence again = pool.newSequence();
        assertEquals(0, pool.reuseCachedPrefix(again, prompt));
        assertEquals(0, pool.cachedBlocks());
        assertEquals(4, pool.freeBlocks());
    }

    /**
     * A prompt whose start is cached computes only the rest, and gets the same logits, bit for bit, as a cold
     * prefill; decoding on from the shared blocks matches too, and the owner of the shared blocks is not disturbed.
     */
    private static void reuseMatchesColdPrefill(LoadedModel model, int[] system, int[] question) {
        int[] prompt = IntStream.concat(IntStream.of(system), IntStream.of(question)).toArray();
        KvBlockPool cold = KvBlockPool.forBudget(model.config(), 4L << 20, 16, false);
        KvBlockPool warm = KvBlockPool.forBudget(model.config(), 4L << 20, 16);
        try (LlamaEngine coldEngine = new LlamaEngine(model, cold, 2); LlamaEngine warmEngine = new LlamaEngine(model, warm, 2)) {
            KvSequence reference = cold.newSequence();
            float[] expected = coldEngine.prefill(reference, prompt);

            KvSequence first = warm.newSequence();
            warmEngine.prefill(first, system); // the shared system prompt, still running
            KvSequence second = warm.newSequence();
            int cached = warm.reuseCachedPrefix(second, prompt);
            assertEquals(system.length / 16 * 16, cached);
            assertTrue(cached > 0);
            float[] logits = warmEngine.prefill(second, Arrays.copyOfRange(prompt, cached, prompt.length));
            assertArrayEquals(expected, logits, "reused prefix gives the cold prefill's logits");

            Sampler sampler = new Sampler();
            int token = Sampler.argmax(expected);
            int firstToken = 3;
            float[] firstAlone = null;
            for (int s = 0; s < 10; s++) {
                float[][] step = warmEngine.decodeStep(List.of(second, first), new int[] {token, firstToken});
                float[] want = coldEngine.decodeStep(List.of(reference), new int[] {token})[0];
                assertArrayEquals(want, step[0], "step " + s);
                firstAlone = step[1];
                token = sampler.sample(want, dev.tandem.engine.sampling.SamplingParams.greedy(1), 0, s);
                firstToken = Sampler.argmax(step[1]);
            }
            // The owner of the shared blocks computes what it would have without the sharer.
            KvSequence firstCold = cold.newSequence();
            coldEngine.prefill(firstCold, system);
            float[] replayed = null;
            int in = 3;
            for (int s = 0; s < 10; s++) {
                replayed = coldEngine.decodeStep(List.of(firstCold), new int[] {in})[0];
                in = Sampler.argmax(replayed);
            }
            assertArrayEquals(replayed, firstAlone, "the sharer did not write into the shared blocks");

            warm.free(first);
            warm.free(second);
            cold.free(reference);
            cold.free(firstCold);
            assertEquals(0, warm.usedBlocks(), "no block leaked");
            assertEquals(warm.totalBlocks(), warm.freeBlocks());
            assertEquals(0, cold.usedBlocks());
        }
    }

    @Test
    void reuseMatchesColdPrefillSynthetic() {
        try (LoadedModel model = ModelLoader.load(Optional.empty())) {
            reuseMatchesColdPrefill(model, tokens(150, 6), tokens(23, 7)); // the cached part spans prefill chunks
        }
    }

    @Test
    void reuseMatchesColdPrefillStories() {
        try (LoadedModel model = ModelLoader.load(Optional.of(SharedData.model("stories260K.gguf")))) {
            int[] system = model.tokenizer().encode(
                    "Once upon a time, there was a little dog named Max. Max liked to play in the park with his ball.", true, true);
            int[] question = model.tokenizer().encode(" One day, Max saw a cat.", false, false);
            reuseMatchesColdPrefill(model, system, question);
        }
    }
}
