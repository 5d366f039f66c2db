package dev.tandem.model.synthetic;

import java.util.Locale;

/**
 * Model shapes {@link SyntheticGguf} can write: the published hyperparameters of a few Llama models
 * (weights are random), and a tiny one for tests.
 *
 * @param tiedEmbeddings no {@code output.weight}: the output projection is {@code token_embd}
 */
public record ModelShape(String name, int dim, int layers, int heads, int kvHeads, int ffDim, int vocab,
                         int contextLength, float ropeTheta, float rmsEps, boolean tiedEmbeddings) {

    /** TinyLlama-1.1B: dim 2048, 22 layers, 32/4 heads, ff 5632, vocab 32000. */
    public static final ModelShape TINYLLAMA = new ModelShape("tinyllama", 2048, 22, 32, 4, 5632, 32000, 2048,
            10000f, 1e-5f, false);
    /**
     * Llama-3.2-1B: dim 2048, 16 layers, 32/8 heads, ff 8192, vocab 128256, tied embeddings,
     * RoPE base 500000 (without its long-context RoPE scaling; context 8192).
     */
    public static final ModelShape LLAMA3_1B = new ModelShape("llama3-1b", 2048, 16, 32, 8, 8192, 128256, 8192,
            500000f, 1e-5f, true);
    /**
     * Llama-3.1-8B: dim 4096, 32 layers, 32/8 heads, ff 14336, vocab 128256, untied output, RoPE base
     * 500000 (without its long-context RoPE scaling; context 8192).
     */
    public static final ModelShape LLAMA3_8B = new ModelShape("llama3-8b", 4096, 32, 32, 8, 14336, 128256, 8192,
            500000f, 1e-5f, false);
    /** The shared test models' shape: dim 256, 2 layers, 8/4 heads, ff 768, vocab 512. */
    public static final ModelShape TINY = new ModelShape("tiny", 256, 2, 8, 4, 768, 512, 2048, 10000f, 1e-5f, false);

    public static ModelShape named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "tinyllama" -> TINYLLAMA;
            case "llama3-1b" -> LLAMA3_1B;
            case "llama3-8b" -> LLAMA3_8B;
            case "tiny" -> TINY;
            default -> throw new IllegalArgumentException("unknown shape '" + name + "' (tinyllama, llama3-1b, llama3-8b, tiny)");
        };
    }

    public int headDim() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headDim();
    }

    /** The same shape with another layer count (quicker benchmarks and tests). */
    public ModelShape withLayers(int n) {
        return new ModelShape(name, dim, n, heads, kvHeads, ffDim, vocab, contextLength, ropeTheta, rmsEps, tiedEmbeddings);
    }

    /** Parameter count of all tensors. */
    public long parameters() {
        long perLayer = 2L * dim + (long) dim * dim * 2 + (long) kvDim() * dim * 2 + 3L * dim * ffDim;
        return (long) vocab * dim * (tiedEmbeddings ? 1 : 2) + dim + layers * perLayer;
    }
}
