package dev.tandem.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.engine.KvPrecision;
import dev.tandem.engine.LlamaEngine;
import dev.tandem.engine.LoadedModel;
import dev.tandem.engine.ModelLoader;
import dev.tandem.gguf.GgmlType;
import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.engine.sampling.Sampler;
import dev.tandem.model.synthetic.ModelShape;
import dev.tandem.model.synthetic.SyntheticGguf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The GPU forward pass against the CPU engine on random-weight models of every weight type with device
 * kernels: prompts in several chunks (the tiled GEMM), decode steps at batch 1, 3, 8 (the GEMV variants)
 * and 9 (the GEMM), greedy tokens, a prompt continued from cached prefix blocks, and KV blocks moved
 * CPU → GPU → CPU. Skipped without a GPU.
 */
class CudaForwardTest {

    @TempDir
    static Path dir;

    @BeforeEach
    void gpu() {
        NativeBuild.requireGpu();
        NativeBuild.library();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // type, relative L2 tolerance of logits: float weights differ in summation order only; quantized ones
            // also where an activation's 8-bit rounding flips
            "f32, 1e-4", "f16, 1e-4", "bf16, 1e-4", "q8_0, 2e-2", "q4_0, 2e-2"})
    void matchesTheCpuEngine(String typeName, double tolerance) throws Exception {
        GgmlType type = SyntheticGguf.parseType(typeName);
        Path file = dir.resolve("tiny-" + typeName + ".gguf");
        SyntheticGguf.write(ModelShape.TINY, type, 7, file);
        try (LoadedModel model = ModelLoader.load(Optional.of(file));
             LlamaEngine cpu = new LlamaEngine(model, KvBlockPool.forBudget(model.config(), 32L << 20, 16), 2, KvPrecision.F32);
             LlamaEngine gpu = EngineFactory.open(model, new EngineFactory.Options(EngineBackend.CUDA, 1, 32L << 20, 16,
                     KvPrecision.F32, new CudaForward.Options(Optional.empty(), 0, 32, true)))) {
            int vocab = model.config().vocabSize();
            int[] prompt = new int[75];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = (i * 37 + 11) % vocab;
            }
            List<KvSequence> cpuSeqs = new ArrayList<>();
            List<KvSequence> gpuSeqs = new ArrayList<>();
            for (int s = 0; s < 9; s++) {
                KvSequence c = cpu.pool().newSequence();
                KvSequence g = gpu.pool().newSequence();
                int[] p = java.util.Arrays.copyOf(prompt, 40 + s * 4);
                close(cpu.prefill(c, p), gpu.prefill(g, p), tolerance, typeName + " prefill of " + p.length);
                cpuSeqs.add(c);
                gpuSeqs.add(g);
            }
            for (int batch : new int[] {1, 3, 8, 9}) {
                int[] tokens = new int[batch];
                for (int b = 0; b < batch; b++) {
                    tokens[b] = (batch * 13 + b * 7) % vocab;
                }
                float[][] c = cpu.decodeStep(cpuSeqs.subList(0, batch), tokens);
                float[][] g = gpu.decodeStep(gpuSeqs.subList(0, batch), tokens);
                for (int b = 0; b < batch; b++) {
                    close(c[b], g[b], tolerance, typeName + " decode batch " + batch + " entry " + b);
                }
                int[] greedy = gpu.decodeGreedy(gpuSeqs.subList(0, batch), tokens);
                float[][] next = cpu.decodeStep(cpuSeqs.subList(0, batch), tokens);
                for (int b = 0; b < batch; b++) {
                    float margin = top2Margin(next[b]);
                    if (margin > 1e-2f) {
                        assertTrue(greedy[b] == Sampler.argmax(next[b]), typeName + " greedy batch " + batch + " entry " + b);
                    }
                }
            }
            // The device's prefix cache: the whole prompt's first four blocks were computed by the longest
            // prefills above; reusing them and computing the rest gives the logits of a fresh prefill.
            KvSequence reused = gpu.pool().newSequence();
            assertEquals(64, gpu.pool().reuseCachedPrefix(reused, prompt));
            close(cpu.prefill(cpu.pool().newSequence(), prompt),
                    gpu.prefill(reused, java.util.Arrays.copyOfRange(prompt, 64, prompt.length)), tolerance,
                    typeName + " prefill after a cached prefix");
            // KV blocks: GPU → host → CPU-format equality, and CPU → GPU import continuing identically.
            KvSequence c0 = cpuSeqs.getFirst();
            KvSequence g0 = gpuSeqs.getFirst();
            KvBlockPool cp = cpu.pool();
            KvBlockPool gp = gpu.pool();
            for (int block = 0; block < c0.blockCount(); block++) {
                int bytes = cp.transferBytes(cp.tokensInBlock(c0, block));
                float[] ck = export(cp, c0, block, bytes);
                float[] gk = export(gp, g0, block, bytes);
                close(ck, gk, tolerance, typeName + " exported KV block " + block);
            }
            KvSequence imported = gp.newSequence();
            gp.reserve(imported, c0.length());
            for (int block = 0; block < c0.blockCount(); block++) {
                int tokens = cp.tokensInBlock(c0, block);
                ByteBuffer k = ByteBuffer.allocate(cp.transferBytes(tokens)).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer v = ByteBuffer.allocate(cp.transferBytes(tokens)).order(ByteOrder.LITTLE_ENDIAN);
                cp.exportBlock(c0, block, k, v);
                gp.importBlock(imported, block, tokens, k.flip(), v.flip());
            }
            imported.setLength(c0.length());
            close(cpu.decodeStep(List.of(c0), new int[] {5})[0], gpu.decodeStep(List.of(imported), new int[] {5})[0],
                    tolerance, typeName + " decode after a KV import");
        }
    }

    private static float[] export(KvBlockPool pool, KvSequence seq, int block, int bytes) {
        ByteBuffer k = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer v = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        pool.exportBlock(seq, block, k, v);
        float[] out = new float[bytes / 2];
        k.flip().asFloatBuffer().get(out, 0, bytes / 4);
        v.flip().asFloatBuffer().get(out, bytes / 4, bytes / 4);
        return out;
    }

    private static float top2Margin(float[] logits) {
        float a = Float.NEGATIVE_INFINITY;
        float b = Float.NEGATIVE_INFINITY;
        for (float x : logits) {
            if (x > a) {
                b = a;
                a = x;
            } else if (x > b) {
                b = x;
            }
        }
        return a - b;
    }

    private static void close(float[] expected, float[] actual, double tolerance, String what) {
        assertTrue(expected.length == actual.length, what + ": lengths");
        double diff2 = 0;
        double ref2 = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = actual[i] - expected[i];
            diff2 += d * d;
            ref2 += (double) expected[i] * expected[i];
        }
        double error = Math.sqrt(diff2 / Math.max(ref2, 1e-30));
        assertTrue(error <= tolerance, what + ": relative L2 error " + error + " > " + tolerance);
    }
}
