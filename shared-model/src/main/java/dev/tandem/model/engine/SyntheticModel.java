package dev.tandem.model.engine;

import dev.tandem.model.gguf.GgufMetadata;
import dev.tandem.model.tokenizer.ByteVocabulary;
import dev.tandem.model.tokenizer.Tokenizer;
import dev.tandem.model.tokenizer.Tokenizers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in model used when no GGUF is configured: a small Llama with seeded random weights
 * (N(0,1)/√fan-in, norms near 1) and a byte-level vocabulary, built in memory in milliseconds.
 * Its text is meaningless but fully deterministic, so services and their tests run without a model
 * file.
 *
 * <p>The vocabulary is expressed as SentencePiece metadata so it goes through the same tokenizer
 * as real models: {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte tokens {@code <0x00>}..
 * {@code <0xFF>}, and '▁' (SentencePiece's escaped space, which decodes to ' '). Every character is
 * byte-fallback encoded, spaces become '▁'; no space prefix is added.
 */
public final class SyntheticModel {

    public static final String NAME = "tandem-synthetic-llama";
    public static final long SEED = 0x7A4D3E5EEDL;

    public static final int DIM = 64;
    public static final int LAYERS = 2;
    public static final int HEADS = 4;
    public static final int KV_HEADS = 2;
    public static final int HIDDEN_DIM = 172;
    public static final int CONTEXT_LENGTH = 2048;
    /** 3 specials + 256 bytes + '▁'. */
    public static final int VOCAB_SIZE = 260;

    private SyntheticModel() {
    }

    public static ModelConfig config() {
        return new ModelConfig(NAME, "llama", DIM, LAYERS, HEADS, KV_HEADS, HIDDEN_DIM, VOCAB_SIZE, CONTEXT_LENGTH,
                1e-5f, 10000f, DIM / HEADS);
    }

    /** GGUF-style metadata of the model (architecture keys and the tokenizer). */
    public static GgufMetadata metadata() {
        ByteVocabulary vocabulary = ByteVocabulary.of(VOCAB_SIZE);
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("general.architecture", "llama");
        md.put("general.name", NAME);
        md.put("llama.context_length", CONTEXT_LENGTH);
        md.put("llama.embedding_length", DIM);
        md.put("llama.block_count", LAYERS);
        md.put("llama.feed_forward_length", HIDDEN_DIM);
        md.put("llama.attention.head_count", HEADS);
        md.put("llama.attention.head_count_kv", KV_HEADS);
        md.put("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        md.put("llama.rope.freq_base", 10000f);
        md.put("tokenizer.ggml.model", "llama");
        md.put("tokenizer.ggml.tokens", vocabulary.tokens());
        md.put("tokenizer.ggml.scores", vocabulary.scores());
        md.put("tokenizer.ggml.token_type", vocabulary.types());
        md.put("tokenizer.ggml.unknown_token_id", 0);
        md.put("tokenizer.ggml.bos_token_id", 1);
        md.put("tokenizer.ggml.eos_token_id", 2);
        md.put("tokenizer.ggml.add_bos_token", true);
        md.put("tokenizer.ggml.add_eos_token", false);
        md.put("tokenizer.ggml.add_space_prefix", false);
        return GgufMetadata.of(md);
    }

    public static Tokenizer tokenizer() {
        return Tokenizers.fromMetadata(metadata());
    }

    /** The synthetic model; weights are generated only when asked for. */
    public static LoadedModel load(boolean withWeights) {
        ModelConfig cfg = config();
        return new LoadedModel(cfg, tokenizer(), withWeights ? weights(cfg) : null);
    }

    private static LlamaWeights weights(ModelConfig cfg) {
        Gaussian rng = new Gaussian(SEED);
        int dim = cfg.dim();
        int kvDim = cfg.kvDim();
        int ff = cfg.hiddenDim();
        FloatMatrix embedding = matrix(rng, cfg.vocabSize(), dim, 1.0);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < cfg.numLayers(); l++) {
            layers.add(new LayerWeights(
                    norm(rng, dim),
                    matrix(rng, dim, dim, 1 / Math.sqrt(dim)),
                    matrix(rng, kvDim, dim, 1 / Math.sqrt(dim)),
                    matrix(rng, kvDim, dim, 1 / Math.sqrt(dim)),
                    null, null, null,
                    matrix(rng, dim, dim, 1 / Math.sqrt(dim)),
                    norm(rng, dim),
                    matrix(rng, ff, dim, 1 / Math.sqrt(dim)),
                    matrix(rng, ff, dim, 1 / Math.sqrt(dim)),
                    matrix(rng, dim, ff, 1 / Math.sqrt(ff))));
        }
        float[] outputNorm = norm(rng, dim);
        FloatMatrix output = matrix(rng, cfg.vocabSize(), dim, 1 / Math.sqrt(dim));
        return new LlamaWeights(embedding, layers, outputNorm, output, RopeStyle.NORMAL, 1f, null, null);
    }

    private static FloatMatrix matrix(Gaussian rng, int rows, int cols, double scale) {
        // Stored like a GGUF F32 tensor (little-endian) so it takes the same kernel path as real weights.
        MemorySegment data = Arena.ofAuto().allocate((long) rows * cols * Float.BYTES, 64);
        for (long i = 0; i < (long) rows * cols; i++) {
            data.setAtIndex(Dot.LE_FLOAT, i, (float) (rng.next() * scale));
        }
        return new F32Matrix(data, rows, cols);
    }

    private static float[] norm(Gaussian rng, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (1.0 + 0.05 * rng.next());
        }
        return w;
    }

    /**
     * Standard normal numbers from SplitMix64 and Box-Muller: spelled out rather than
     * java.util.Random so the weights cannot change with the JDK.
     */
    private static final class Gaussian {
        private long state;
        private double spare = Double.NaN;

        Gaussian(long seed) {
            this.state = seed;
        }

        private double uniform() {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            return ((z >>> 11) + 0.5) * 0x1.0p-53; // (0, 1): never 0, so log() is finite
        }

        double next() {
            if (!Double.isNaN(spare)) {
                double s = spare;
                spare = Double.NaN;
                return s;
            }
            double r = StrictMath.sqrt(-2 * StrictMath.log(uniform()));
            double a = 2 * Math.PI * uniform();
            spare = r * StrictMath.sin(a);
            return r * StrictMath.cos(a);
        }
    }
}
