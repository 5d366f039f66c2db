package dev.tandem.engine;

import dev.tandem.model.ModelConfig;

import dev.tandem.engine.kv.KvBlockPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Llama-family forward pass (llama; qwen2 adds Q/K/V biases and NeoX RoPE) over a batch of
 * (sequence, position, token) entries: RMSNorm, Q/K/V projections, RoPE, paged-KV attention with
 * grouped KV heads, SiLU-gated FFN, final norm and output projection.
 *
 * <p>One code path serves prompt processing (entries of one sequence at consecutive positions)
 * and batched decoding (one entry per sequence): every layer first writes the K/V of all entries,
 * then each entry attends to positions 0..its own, which is causal either way. Weight matrices are
 * read once per layer for the whole batch.
 */
final class LlamaForward implements ForwardPass {

    /** Prompt tokens per forward pass: bounds activation memory for long prompts. */
    private static final int PREFILL_CHUNK = 64;

    private final ModelConfig cfg;
    private final LlamaWeights w;
    private final KvBlockPool pool;
    private final Parallel parallel;
    private final Rope rope;
    private final Attention attention;
    /** Round K/V (and Q and attention weights where multiplied with them) to half precision. */
    private final boolean halfKv;
    /** The native kernels' products, or null for the Java kernels. */
    private final NativeMatmul nativeMatmul;
    private final String kernels;

    LlamaForward(ModelConfig cfg, LlamaWeights w, KvBlockPool pool, Parallel parallel, KvPrecision precision) {
        this(cfg, w, pool, parallel, precision, CpuKernels.JAVA);
    }

    /** @param kernels {@link CpuKernels#NATIVE} or {@link CpuKernels#JAVA} (resolved) */
    LlamaForward(ModelConfig cfg, LlamaWeights w, KvBlockPool pool, Parallel parallel, KvPrecision precision,
                 CpuKernels kernels) {
        this.cfg = cfg;
        this.w = w;
        this.pool = pool;
        this.parallel = parallel;
        this.rope = new Rope(w.ropeStyle(), cfg.headDim(), cfg.ropeTheta(), w.ropeFreqScale(), w.ropeFreqFactors());
        this.halfKv = precision == KvPrecision.F16_ROUNDED;
        this.attention = new Attention(cfg, pool, parallel, halfKv);
        this.nativeMatmul = kernels == CpuKernels.NATIVE
                ? new NativeMatmul(NativeKernels.get().orElseThrow(() -> new IllegalStateException(NativeKernels.failure())), parallel)
                : null;
        this.kernels = CpuKernels.label(kernels == CpuKernels.NATIVE ? CpuKernels.NATIVE : CpuKernels.JAVA);
        if (nativeMatmul != null) {
            List<FloatMatrix> matrices = new ArrayList<>();
            w.layers().forEach(layer -> matrices.addAll(layer.matrices()));
            matrices.add(w.output());
            nativeMatmul.prepare(matrices);
        }
    }

    /** The kernels' label (see {@link CpuKernels#label}). */
    String kernels() {
        return kernels;
    }

    @Override
    public int prefillChunk() {
        return PREFILL_CHUNK;
    }

    @Override
    public String describe() {
        return "cpu, " + parallel.threads() + " threads, " + kernels + " kernels";
    }

    /** The worker threads belong to the engine, which closes them. */
    @Override
    public void close() {
        if (nativeMatmul != null) {
            nativeMatmul.close();
        }
    }

    @Override
    public float[][] forward(ForwardBatch batch) {
        int n = batch.size();
        int dim = cfg.dim();
        int qDim = cfg.numHeads() * cfg.headDim();
        int kvDim = cfg.kvDim();
        int ff = cfg.hiddenDim();
        float[][] x = new float[n][dim];
        float[][] xb = new float[n][dim];
        float[][] q = new float[n][qDim];
        float[][] k = new float[n][kvDim];
        float[][] v = new float[n][kvDim];
        float[][] att = new float[n][qDim];
        float[][] gate = new float[n][ff];
        float[][] up = new float[n][ff];

        for (int i = 0; i < n; i++) {
            w.tokenEmbedding().row(batch.tokens()[i], x[i]);
        }
        // Angles depend only on the position: compute once per entry, reuse in every layer.
        float[][] cos = new float[n][rope.pairs()];
        float[][] sin = new float[n][rope.pairs()];
        for (int i = 0; i < n; i++) {
            rope.angles(batch.positions()[i], cos[i], sin[i]);
        }

        for (int l = 0; l < cfg.numLayers(); l++) {
            LayerWeights lw = w.layers().get(l);
            for (int i = 0; i < n; i++) {
                rmsNorm(xb[i], x[i], lw.attnNorm(), cfg.rmsNormEps());
            }
            matmul(n, xb, new FloatMatrix[] {lw.wq(), lw.wk(), lw.wv()}, new float[][][] {q, k, v}, batch.prompt());
            for (int i = 0; i < n; i++) {
                addBias(q[i], lw.bq());
                addBias(k[i], lw.bk());
                addBias(v[i], lw.bv());
                rope.rotate(q[i], cfg.numHeads(), cfg.headDim(), cos[i], sin[i]);
                rope.rotate(k[i], cfg.numKvHeads(), cfg.headDim(), cos[i], sin[i]);
                storeKv(l, batch, i, k[i], v[i]);
            }
            attention.run(l, batch, q, att);
            matmul(n, att, new FloatMatrix[] {lw.wo()}, new float[][][] {xb}, batch.prompt());
            for (int i = 0; i < n; i++) {
                add(x[i], xb[i]);
                rmsNorm(xb[i], x[i], lw.ffnNorm(), cfg.rmsNormEps());
            }
            matmul(n, xb, new FloatMatrix[] {lw.ffnGate(), lw.ffnUp()}, new float[][][] {gate, up}, batch.prompt());
            for (int i = 0; i < n; i++) {
                Dot.swiglu(gate[i], up[i]);
            }
            matmul(n, gate, new FloatMatrix[] {lw.ffnDown()}, new float[][][] {xb}, batch.prompt());
            for (int i = 0; i < n; i++) {
                add(x[i], xb[i]);
            }
        }

        // Final norm and output projection, only for the entries whose logits are wanted.
        int wanted = 0;
        for (boolean b : batch.wantLogits()) {
            wanted += b ? 1 : 0;
        }
        float[][] result = new float[n][];
        if (wanted == 0) {
            return result;
        }
        float[][] normed = new float[wanted][];
        float[][] logits = new float[wanted][cfg.vocabSize()];
        for (int i = 0, j = 0; i < n; i++) {
            if (batch.wantLogits()[i]) {
                rmsNorm(xb[i], x[i], w.outputNorm(), cfg.rmsNormEps());
                normed[j] = xb[i];
                result[i] = logits[j];
                j++;
            }
        }
        matmul(wanted, normed, new FloatMatrix[] {w.output()}, new float[][][] {logits}, batch.prompt());
        return result;
    }

    /**
     * out_m[b] = W_m · in[b] for each matrix m (all with the same input), rows of all matrices
     * split across the worker threads in one parallel region. Activations that a kernel wants
     * quantized are quantized once, before the threads start.
     */
    private void matmul(int batch, float[][] in, FloatMatrix[] ws, float[][][] outs, boolean prompt) {
        if (nativeMatmul != null && NativeMatmul.accepts(ws)) {
            nativeMatmul.multiply(batch, in, ws, outs);
            return;
        }
        Activations act = new Activations(in, batch, prompt);
        int totalRows = 0;
        long work = 0;
        for (FloatMatrix m : ws) {
            totalRows += m.rows();
            work += (long) m.rows() * m.cols() * batch;
            m.prepare(act);
        }
        final int[] starts = new int[ws.length + 1];
        for (int m = 0; m < ws.length; m++) {
            starts[m + 1] = starts[m] + ws[m].rows();
        }
        parallel.forRange(totalRows, work, (s, e) -> {
            for (int m = 0; m < ws.length; m++) {
                int from = Math.max(s, starts[m]);
                int to = Math.min(e, starts[m + 1]);
                if (from < to) {
                    ws[m].multiply(from - starts[m], to - starts[m], act, outs[m]);
                }
            }
        });
    }

    private void storeKv(int layer, ForwardBatch batch, int i, float[] key, float[] value) {
        if (halfKv) {
            roundToHalf(key, 0, key.length);
            roundToHalf(value, 0, value.length);
        }
        int pos = batch.positions()[i];
        int blockSize = pool.blockSize();
        int block = batch.blockTables()[i][pos / blockSize];
        int slot = pos % blockSize;
        // K dimension-major, V position-major (HostKvStore)
        float[] keys = pool.keys(layer, block);
        for (int c = 0; c < key.length; c++) {
            keys[c * blockSize + slot] = key[c];
        }
        System.arraycopy(value, 0, pool.values(layer, block), slot * cfg.kvDim(), cfg.kvDim());
    }

    /** out = x / rms(x) * weight; the sum of squares in double, as ggml_rms_norm does. */
    static void rmsNorm(float[] out, float[] x, float[] weight, float eps) {
        double ss = 0;
        for (float v : x) {
            ss += v * v;
        }
        float mean = (float) (ss / x.length);
        float scale = 1.0f / (float) Math.sqrt(mean + eps);
        for (int i = 0; i < x.length; i++) {
            out[i] = (x[i] * scale) * weight[i];
        }
    }

    static void roundToHalf(float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            x[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
        }
    }

    private static void addBias(float[] x, float[] bias) {
        if (bias != null) {
            add(x, bias);
        }
    }

    private static void add(float[] x, float[] delta) {
        for (int i = 0; i < x.length; i++) {
            x[i] += delta[i];
        }
    }
}
