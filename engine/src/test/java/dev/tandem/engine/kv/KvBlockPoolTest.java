package dev.tandem.engine.kv;

import dev.tandem.engine.sampling.SamplingParams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.engine.LlamaEngine;
import dev.tandem.engine.LoadedModel;
import dev.tandem.engine.ModelLoader;
import dev.tandem.model.SyntheticModel;
import dev.tandem.engine.sampling.Sampler;
import dev.tandem.testing.SharedData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class KvBlockPoolTest {

    @Test
    void reserveAndFreeAccounting() {
        KvBlockPool pool = new KvBlockPool(2, 8, 16, 10);
        assertEquals(10, pool.totalBlocks());
        assertEquals(10, pool.freeBlocks());
        KvSequence a = pool.newSequence();
        assertTrue(pool.reserve(a, 17)); // 2 blocks
        assertEquals(2, a.blockCount());
        assertEquals(32, a.capacity());
        assertEquals(2, pool.usedBlocks());
        assertTrue(pool.reserve(a, 30)); // still 2
        assertEquals(2, pool.usedBlocks());
        assertTrue(pool.reserve(a, 33)); // 3
        assertEquals(3, pool.usedBlocks());
        assertEquals(7, pool.freeBlocks());

        KvSequence b = pool.newSequence();
        assertFalse(pool.reserve(b, 16 * 8), "8 blocks with 7 free must fail");
        assertEquals(0, b.blockCount(), "all-or-nothing");
        assertEquals(3, pool.usedBlocks());
        assertTrue(pool.reserve(b, 16 * 7));
        assertEquals(0, pool.freeBlocks());

        a.setLength(33);
        assertThrows(IllegalArgumentException.class, () -> a.setLength(49));
        pool.free(a);
        pool.free(a); // idempotent
        assertEquals(0, a.length());
        assertEquals(0, a.blockCount());
        assertEquals(3, pool.freeBlocks());
        pool.free(b);
        assertEquals(0, pool.usedBlocks());
    }

    @Test
    void forBudget() {
        var cfg = SyntheticModel.config();
        long perBlock = KvBlockPool.bytesPerBlock(cfg, 16);
        assertEquals(2L * 2 * 16 * 32 * 4, perBlock);
        KvBlockPool pool = KvBlockPool.forBudget(cfg, perBlock * 5 + 7, 16);
        assertEquals(5, pool.totalBlocks());
        assertEquals(16, pool.blockSize());
        assertEquals(cfg.numLayers(), pool.numLayers());
        assertEquals(cfg.kvDim(), pool.kvDim());
    }

    @Test
    void concurrentReserveAndFree() throws Exception {
        KvBlockPool pool = new KvBlockPool(1, 4, 4, 64);
        ExecutorService ex = Executors.newFixedThreadPool(4);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            futures.add(ex.submit(() -> {
                for (int i = 0; i < 2000; i++) {
                    KvSequence s = pool.newSequence();
                    if (pool.reserve(s, 1 + i % 40)) {
                        assertTrue(s.capacity() >= 1 + i % 40);
                    }
                    pool.free(s);
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        ex.shutdown();
        assertEquals(0, pool.usedBlocks());
        assertEquals(64, pool.freeBlocks());
    }

    /** The CPU pool keeps K dimension-major and V position-major; both travel position-major. */
    @Test
    void transfersPositionMajor() {
        KvBlockPool pool = new KvBlockPool(1, 3, 4, 4);
        KvSequence seq = pool.newSequence();
        assertTrue(pool.reserve(seq, 2));
        float[] k = pool.keys(0, seq.blockId(0));
        float[] v = pool.values(0, seq.blockId(0));
        for (int t = 0; t < 2; t++) {
            for (int c = 0; c < 3; c++) {
                k[c * 4 + t] = 10 * t + c;
                v[t * 3 + c] = 100 + 10 * t + c;
            }
        }
        seq.setLength(2);
        ByteBuffer keys = ByteBuffer.allocate(pool.transferBytes(2)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer values = ByteBuffer.allocate(pool.transferBytes(2)).order(ByteOrder.LITTLE_ENDIAN);
        pool.exportBlock(seq, 0, keys, values);
        keys.flip();
        values.flip();
        for (int t = 0; t < 2; t++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(10 * t + c, keys.getFloat(), 0f);
                assertEquals(100 + 10 * t + c, values.getFloat(), 0f);
            }
        }
        KvSequence copy = pool.newSequence();
        assertTrue(pool.reserve(copy, 2));
        pool.importBlock(copy, 0, 2, keys.flip(), values.flip());
        assertArrayEquals(Arrays.copyOf(k, 8), Arrays.copyOf(pool.keys(0, copy.blockId(0)), 8));
        assertArrayEquals(Arrays.copyOf(v, 6), Arrays.copyOf(pool.values(0, copy.blockId(0)), 6));
    }

    /** Prefill in one pool, move the KV to another pool block by block, continue decoding there. */
    private static void transferRoundTrip(LoadedModel model, int[] prompt, int steps) {
        KvBlockPool source = KvBlockPool.forBudget(model.config(), 8L << 20, 16);
        KvBlockPool target = KvBlockPool.forBudget(model.config(), 4L << 20, 16);
        Sampler sampler = new Sampler();
        try (LlamaEngine prefill = new LlamaEngine(model, source, 2); LlamaEngine decode = new LlamaEngine(model, target, 2)) {
            KvSequence original = source.newSequence();
            float[] logits = prefill.prefill(original, prompt);
            // Occupy some target blocks so the imported sequence gets different block ids.
            KvSequence filler = target.newSequence();
            assertTrue(target.reserve(filler, 40));

            KvSequence moved = target.newSequence();
            assertTrue(target.reserve(moved, original.length()));
            int blocks = source.blocksFor(original.length());
            for (int i = 0; i < blocks; i++) {
                int tokens = source.tokensInBlock(original, i);
                int bytes = source.transferBytes(tokens);
                assertEquals(source.numLayers() * tokens * source.kvDim() * 4, bytes);
                ByteBuffer keys = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer values = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
                source.exportBlock(original, i, keys, values);
                assertEquals(0, keys.remaining());
                target.importBlock(moved, i, tokens, keys.flip(), values.flip());
                assertEquals(0, values.remaining());
            }
            moved.setLength(original.length());

            int token = Sampler.argmax(logits);
            for (int s = 0; s < steps; s++) {
                float[] a = prefill.decodeStep(List.of(original), new int[] {token})[0];
                float[] b = decode.decodeStep(List.of(moved), new int[] {token})[0];
                assertArrayEquals(a, b, "step " + s);
                token = sampler.sample(a, dev.tandem.engine.sampling.SamplingParams.greedy(1), 0, s);
            }
            source.free(original);
            target.free(moved);
            target.free(filler);
            assertEquals(0, source.usedBlocks());
            assertEquals(0, target.usedBlocks());
        }
    }

    @Test
    void transferSynthetic() {
        try (LoadedModel model = ModelLoader.load(Optional.empty())) {
            // 37 positions: two full blocks and a partial one.
            int[] prompt = SyntheticModel.tokenizer().encode("The KV of this prompt moves between pools.", true, false);
            assertTrue(prompt.length > 32 && prompt.length % 16 != 0, "prompt length " + prompt.length);
            transferRoundTrip(model, prompt, 20);
        }
    }

    @Test
    void transferStories() {
        try (LoadedModel model = ModelLoader.load(Optional.of(SharedData.model("stories260K.gguf")))) {
            transferRoundTrip(model, model.tokenizer().encode("Once upon a time, there was a little dog named Max.", true, true), 20);
        }
    }
}
