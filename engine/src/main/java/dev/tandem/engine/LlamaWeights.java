package dev.tandem.engine;

import dev.tandem.model.ModelConfig;
import dev.tandem.model.RopeStyle;
import dev.tandem.model.UnsupportedModelException;

import dev.tandem.gguf.GgmlType;
import dev.tandem.gguf.GgufFile;
import dev.tandem.gguf.GgufMetadata;
import dev.tandem.gguf.GgufTensorInfo;
import java.util.List;

/**
 * All weights of a Llama model, as views of the mapped GGUF data (no copy of the matrices), plus
 * the RoPE settings that come with them.
 *
 * @see #fromGguf
 */
public final class LlamaWeights implements AutoCloseable {

    private final FloatMatrix tokenEmbedding;
    private final List<LayerWeights> layers;
    private final float[] outputNorm;
    private final FloatMatrix output;
    private final RopeStyle ropeStyle;
    private final float ropeFreqScale;
    private final float[] ropeFreqFactors;
    private final AutoCloseable resource;

    /**
     * @param output          the output projection; the token embedding itself when embeddings are tied
     * @param ropeStyle       which dimensions RoPE pairs up (adjacent for llama, halves for qwen2)
     * @param ropeFreqScale   position scale for linear RoPE scaling (1 = none)
     * @param ropeFreqFactors per-pair frequency divisors (Llama 3.1 {@code rope_freqs}), or null
     * @param resource        closed by {@link #close()} (the mapped file), or null
     */
    public LlamaWeights(FloatMatrix tokenEmbedding, List<LayerWeights> layers, float[] outputNorm, FloatMatrix output,
                        RopeStyle ropeStyle, float ropeFreqScale, float[] ropeFreqFactors, AutoCloseable resource) {
        this.tokenEmbedding = tokenEmbedding;
        this.layers = List.copyOf(layers);
        this.outputNorm = outputNorm;
        this.output = output;
        this.ropeStyle = ropeStyle;
        this.ropeFreqScale = ropeFreqScale;
        this.ropeFreqFactors = ropeFreqFactors;
        this.resource = resource;
    }

    /** Views the tensors of a llama/qwen2 GGUF, checking every name, type and shape against the config. */
    public static LlamaWeights fromGguf(GgufFile file, ModelConfig cfg) {
        TensorLookup t = new TensorLookup(file);
        int dim = cfg.dim();
        int qDim = cfg.numHeads() * cfg.headDim();
        int kvDim = cfg.kvDim();
        int ff = cfg.hiddenDim();
        FloatMatrix embedding = t.matrix("token_embd.weight", cfg.vocabSize(), dim);
        var layers = new java.util.ArrayList<LayerWeights>(cfg.numLayers());
        for (int l = 0; l < cfg.numLayers(); l++) {
            String p = "blk." + l + ".";
            layers.add(new LayerWeights(
                    t.vector(p + "attn_norm.weight", dim),
                    t.matrix(p + "attn_q.weight", qDim, dim),
                    t.matrix(p + "attn_k.weight", kvDim, dim),
                    t.matrix(p + "attn_v.weight", kvDim, dim),
                    t.optionalVector(p + "attn_q.bias", qDim),
                    t.optionalVector(p + "attn_k.bias", kvDim),
                    t.optionalVector(p + "attn_v.bias", kvDim),
                    t.matrix(p + "attn_output.weight", dim, qDim),
                    t.vector(p + "ffn_norm.weight", dim),
                    t.matrix(p + "ffn_gate.weight", ff, dim),
                    t.matrix(p + "ffn_up.weight", ff, dim),
                    t.matrix(p + "ffn_down.weight", dim, ff)));
        }
        float[] outputNorm = t.vector("output_norm.weight", dim);
        // Tied embeddings (e.g. Llama 3.2, our v32k test model): no output.weight, reuse token_embd.
        FloatMatrix output = file.tensor("output.weight").isPresent()
                ? t.matrix("output.weight", cfg.vocabSize(), dim)
                : embedding;
        float[] freqFactors = file.tensor("rope_freqs.weight").isPresent()
                ? t.vector("rope_freqs.weight", cfg.headDim() / 2)
                : null;
        return new LlamaWeights(embedding, layers, outputNorm, output, RopeStyle.of(cfg.architecture()),
                ropeFreqScale(file.metadata(), cfg),
                freqFactors, file);
    }

    /** Linear RoPE scaling (positions divided by the factor); other scaling types are refused. */
    private static float ropeFreqScale(GgufMetadata md, ModelConfig cfg) {
        String p = cfg.architecture() + ".rope.";
        String type = md.getString(p + "scaling.type").orElse("none");
        float factor = md.getFloat(p + "scaling.factor", md.getFloat(p + "scale_linear", 1f));
        switch (type) {
            case "none":
                return 1f;
            case "linear":
                return factor > 0 ? 1f / factor : 1f;
            default:
                throw new UnsupportedModelException("RoPE scaling type '" + type + "' is not supported (none, linear)");
        }
    }

    public FloatMatrix tokenEmbedding() {
        return tokenEmbedding;
    }

    public List<LayerWeights> layers() {
        return layers;
    }

    public float[] outputNorm() {
        return outputNorm;
    }

    public FloatMatrix output() {
        return output;
    }

    /** True when the output projection is the token embedding. */
    public boolean tiedEmbeddings() {
        return output == tokenEmbedding;
    }

    public RopeStyle ropeStyle() {
        return ropeStyle;
    }

    public float ropeFreqScale() {
        return ropeFreqScale;
    }

    /** Per-pair RoPE frequency divisors, or null. */
    public float[] ropeFreqFactors() {
        return ropeFreqFactors;
    }

    /** Releases the mapped file; the weights are unusable afterwards. */
    @Override
    public void close() {
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing model weights failed", e);
            }
        }
    }

    /** Finds tensors by name and checks them, with errors that name the tensor. */
    private record TensorLookup(GgufFile file) {

        GgufTensorInfo info(String name) {
            return file.tensor(name).orElseThrow(() -> new UnsupportedModelException(
                    "tensor '" + name + "' is missing from " + file.path().getFileName()));
        }

        FloatMatrix matrix(String name, int rows, int cols) {
            GgufTensorInfo info = info(name);
            if (info.dims() != 2 || info.dim(0) != cols || info.dim(1) != rows) {
                throw new UnsupportedModelException("tensor '" + name + "' has shape " + java.util.Arrays.toString(info.shape())
                        + ", expected [" + cols + ", " + rows + "]");
            }
            return FloatMatrix.of(name, info.type(), file.tensorData(info), rows, cols);
        }

        float[] optionalVector(String name, int length) {
            return file.tensor(name).isPresent() ? vector(name, length) : null;
        }

        float[] vector(String name, int length) {
            GgufTensorInfo info = info(name);
            if (info.elementCount() != length) {
                throw new UnsupportedModelException("tensor '" + name + "' has " + info.elementCount()
                        + " elements, expected " + length);
            }
            if (info.type() != GgmlType.F32 && info.type() != GgmlType.F16 && info.type() != GgmlType.BF16) {
                throw new UnsupportedModelException("tensor '" + name + "' has type " + info.type() + "; norms must be F32/F16/BF16");
            }
            float[] v = new float[length];
            FloatMatrix.of(name, info.type(), file.tensorData(info), 1, length).row(0, v);
            return v;
        }
    }
}
