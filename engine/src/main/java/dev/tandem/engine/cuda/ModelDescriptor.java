package dev.tandem.engine.cuda;

import dev.tandem.engine.FloatMatrix;
import dev.tandem.engine.LayerWeights;
import dev.tandem.engine.LlamaWeights;
import dev.tandem.model.ModelConfig;
import dev.tandem.engine.Rope;
import dev.tandem.model.RopeStyle;
import java.util.function.ToLongFunction;

/**
 * The device model's description for {@link CudaNative#createModel}, in the layout
 * {@code src-native/src/jni.cpp} reads: keep both in step.
 * <ul>
 *   <li>ints: dim, layers, heads, kvHeads, headDim, ff, vocab, neox, halfKv, blockSize, numBlocks,
 *       tableStride, maxTokens, graphs, embedding type, output type; then per layer the GGML type ids of
 *       q, k, v, o, gate, up, down;</li>
 *   <li>floats: RMSNorm epsilon, RoPE theta scale, RoPE frequency scale;</li>
 *   <li>pointers: embedding, output, output norm, RoPE factors (0: none); then per layer attn norm,
 *       ffn norm, q/k/v biases (0: none), q, k, v, o, gate, up, down.</li>
 * </ul>
 */
record ModelDescriptor(int[] ints, float[] floats, long[] pointers) {

    static final int HEAD_INTS = 16;
    static final int LAYER_INTS = 7;
    static final int HEAD_POINTERS = 4;
    static final int LAYER_POINTERS = 12;

    /**
     * How the device model is laid out.
     *
     * @param tableStride block ids per sequence the device block tables hold
     * @param maxTokens   entries per forward call (prompt chunk, decode batch)
     */
    record Layout(int blockSize, int numBlocks, int tableStride, int maxTokens, boolean halfKv, boolean graphs) {
    }

    /** @param pointer the device address of a matrix or float[] (0 for null) */
    static ModelDescriptor of(ModelConfig cfg, LlamaWeights w, Layout layout, ToLongFunction<Object> pointer) {
        int layers = cfg.numLayers();
        int[] ints = new int[HEAD_INTS + LAYER_INTS * layers];
        long[] ptrs = new long[HEAD_POINTERS + LAYER_POINTERS * layers];
        int[] head = {cfg.dim(), layers, cfg.numHeads(), cfg.numKvHeads(), cfg.headDim(), cfg.hiddenDim(), cfg.vocabSize(),
                w.ropeStyle() == RopeStyle.NEOX ? 1 : 0, layout.halfKv() ? 1 : 0, layout.blockSize(), layout.numBlocks(),
                layout.tableStride(), layout.maxTokens(), layout.graphs() ? 1 : 0, w.tokenEmbedding().type().id(),
                w.output().type().id()};
        System.arraycopy(head, 0, ints, 0, HEAD_INTS);
        ptrs[0] = pointer.applyAsLong(w.tokenEmbedding());
        ptrs[1] = pointer.applyAsLong(w.output());
        ptrs[2] = pointer.applyAsLong(w.outputNorm());
        ptrs[3] = pointer.applyAsLong(w.ropeFreqFactors());
        for (int l = 0; l < layers; l++) {
            LayerWeights lw = w.layers().get(l);
            FloatMatrix[] matrices = {lw.wq(), lw.wk(), lw.wv(), lw.wo(), lw.ffnGate(), lw.ffnUp(), lw.ffnDown()};
            Object[] all = {lw.attnNorm(), lw.ffnNorm(), lw.bq(), lw.bk(), lw.bv(), lw.wq(), lw.wk(), lw.wv(), lw.wo(),
                    lw.ffnGate(), lw.ffnUp(), lw.ffnDown()};
            for (int m = 0; m < LAYER_INTS; m++) {
                ints[HEAD_INTS + LAYER_INTS * l + m] = matrices[m].type().id();
            }
            for (int p = 0; p < LAYER_POINTERS; p++) {
                ptrs[HEAD_POINTERS + LAYER_POINTERS * l + p] = pointer.applyAsLong(all[p]);
            }
        }
        float[] floats = {cfg.rmsNormEps(), Rope.thetaScale(cfg.ropeTheta(), cfg.headDim()), w.ropeFreqScale()};
        return new ModelDescriptor(ints, floats, ptrs);
    }
}
