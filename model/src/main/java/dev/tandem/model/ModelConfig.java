package dev.tandem.model;

import dev.tandem.gguf.GgufMetadata;

/**
 * Llama hyperparameters, as read from GGUF metadata ({@code <arch>.*} keys).
 *
 * @param name          {@code general.name}, else the file name
 * @param architecture  {@code general.architecture}
 * @param dim           embedding width
 * @param hiddenDim     feed-forward width
 * @param contextLength positions the model was trained for; the engine refuses sequences longer than this
 * @param ropeTheta     RoPE frequency base ({@code rope.freq_base}, default 10000)
 * @param headDim       width of one attention head (dim / numHeads unless the file says otherwise)
 */
public record ModelConfig(String name, String architecture, int dim, int numLayers, int numHeads, int numKvHeads,
                          int hiddenDim, int vocabSize, int contextLength, float rmsNormEps, float ropeTheta,
                          int headDim) {

    public ModelConfig {
        if (dim <= 0 || numLayers <= 0 || numHeads <= 0 || numKvHeads <= 0 || hiddenDim <= 0 || vocabSize <= 0
                || contextLength <= 0 || headDim <= 0) {
            throw new UnsupportedModelException("invalid model shape: " + shape(dim, numLayers, numHeads, numKvHeads, hiddenDim, vocabSize, contextLength, headDim));
        }
        if (numHeads % numKvHeads != 0) {
            throw new UnsupportedModelException("head count " + numHeads + " is not a multiple of the KV head count " + numKvHeads);
        }
    }

    /** Width of the K (and V) vector of one position: numKvHeads × headDim. */
    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** Query heads sharing one KV head (1 = MHA, numHeads = MQA). */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /** Reads the config; {@code fallbackName} is used when {@code general.name} is absent. */
    public static ModelConfig fromMetadata(GgufMetadata md, String fallbackName, int vocabSizeFallback) {
        String arch = md.getString("general.architecture").orElseThrow(
                () -> new UnsupportedModelException("GGUF has no general.architecture"));
        String p = arch + ".";
        int dim = requireInt(md, p + "embedding_length");
        int heads = uniformInt(md, p + "attention.head_count");
        int kvHeads = md.contains(p + "attention.head_count_kv") ? uniformInt(md, p + "attention.head_count_kv") : heads;
        int headDim = md.getInt(p + "attention.key_length", heads > 0 ? dim / heads : 0);
        int valueDim = md.getInt(p + "attention.value_length", headDim);
        if (valueDim != headDim) {
            throw new UnsupportedModelException("attention.value_length " + valueDim + " != key_length " + headDim + " is not supported");
        }
        int vocab = md.getInt(p + "vocab_size", vocabSizeFallback);
        return new ModelConfig(
                md.getString("general.name").filter(s -> !s.isBlank()).orElse(fallbackName),
                arch,
                dim,
                requireInt(md, p + "block_count"),
                heads,
                kvHeads,
                uniformInt(md, p + "feed_forward_length"),
                vocab,
                requireInt(md, p + "context_length"),
                md.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f),
                md.getFloat(p + "rope.freq_base", 10000f),
                headDim);
    }

    private static int requireInt(GgufMetadata md, String key) {
        if (!md.contains(key)) {
            throw new UnsupportedModelException("GGUF metadata lacks " + key);
        }
        return md.getInt(key);
    }

    /** A count that may be written per layer: only uniform values are supported. */
    private static int uniformInt(GgufMetadata md, String key) {
        if (md.get(key) instanceof int[] perLayer) {
            for (int v : perLayer) {
                if (v != perLayer[0]) {
                    throw new UnsupportedModelException(key + " differs between layers; not supported");
                }
            }
            if (perLayer.length > 0) {
                return perLayer[0];
            }
        }
        return requireInt(md, key);
    }

    private static String shape(int dim, int layers, int heads, int kvHeads, int hidden, int vocab, int ctx, int headDim) {
        return "dim " + dim + ", layers " + layers + ", heads " + heads + "/" + kvHeads + ", ff " + hidden + ", vocab "
                + vocab + ", context " + ctx + ", head dim " + headDim;
    }
}
