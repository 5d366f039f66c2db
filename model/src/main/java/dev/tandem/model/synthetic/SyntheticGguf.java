package dev.tandem.model.synthetic;

import dev.tandem.gguf.GgmlQuants;
import dev.tandem.gguf.GgmlType;
import dev.tandem.gguf.GgufWriter;
import dev.tandem.tokenizer.ByteVocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * Writes a Llama GGUF (v3) with seeded random weights: matrices N(0,1)/√(row length), norm weights
 * 1 + 0.05·N(0,1), all matrices in one type (F32, F16, BF16, Q8_0 or Q4_0, like
 * {@code llama-quantize --pure}), norms in F32. Quantized tensors are encoded by {@link GgmlQuants},
 * which produces the blocks llama.cpp's reference quantization produces from the same floats.
 *
 * <p>The vocabulary is byte-level SentencePiece metadata like the built-in synthetic model's:
 * {@code <unk>}, {@code <s>}, {@code </s>}, the 256 {@code <0xNN>} byte tokens and '▁', padded to
 * the shape's vocabulary size with unused {@code <unusedN>} tokens.
 *
 * <p>Every row has its own generator seeded from (seed, tensor, row), so the file is the same for
 * a seed whatever the thread count; rows are generated in parallel on the common pool.
 */
public final class SyntheticGguf {

    private SyntheticGguf() {
    }

    /** The llama.cpp file type ({@code general.file_type}) for a model whose matrices are {@code type}. */
    static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("unsupported weight type " + type + " (f32, f16, bf16, q8_0, q4_0)");
        };
    }

    public static GgmlType parseType(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> GgmlType.F32;
            case "f16" -> GgmlType.F16;
            case "bf16" -> GgmlType.BF16;
            case "q8_0" -> GgmlType.Q8_0;
            case "q4_0" -> GgmlType.Q4_0;
            default -> throw new IllegalArgumentException("unknown type '" + s + "' (f32, f16, bf16, q8_0, q4_0)");
        };
    }

    public static void write(ModelShape shape, GgmlType type, long seed, Path out) throws IOException {
        fileType(type);
        GgufWriter w = new GgufWriter();
        String arch = "llama";
        w.putString("general.architecture", arch);
        w.putString("general.name", "tandem-random-" + shape.name());
        w.putU32("general.file_type", fileType(type));
        w.putU32(arch + ".context_length", shape.contextLength());
        w.putU32(arch + ".embedding_length", shape.dim());
        w.putU32(arch + ".block_count", shape.layers());
        w.putU32(arch + ".feed_forward_length", shape.ffDim());
        w.putU32(arch + ".attention.head_count", shape.heads());
        w.putU32(arch + ".attention.head_count_kv", shape.kvHeads());
        w.putF32(arch + ".attention.layer_norm_rms_epsilon", shape.rmsEps());
        w.putF32(arch + ".rope.freq_base", shape.ropeTheta());
        w.putU32(arch + ".rope.dimension_count", shape.headDim());
        w.putU32(arch + ".vocab_size", shape.vocab());
        vocabulary(w, shape.vocab());

        int[] index = {0};
        matrix(w, "token_embd.weight", type, shape.vocab(), shape.dim(), seed, index[0]++);
        for (int l = 0; l < shape.layers(); l++) {
            String p = "blk." + l + ".";
            norm(w, p + "attn_norm.weight", shape.dim(), seed, index[0]++);
            matrix(w, p + "attn_q.weight", type, shape.heads() * shape.headDim(), shape.dim(), seed, index[0]++);
            matrix(w, p + "attn_k.weight", type, shape.kvDim(), shape.dim(), seed, index[0]++);
            matrix(w, p + "attn_v.weight", type, shape.kvDim(), shape.dim(), seed, index[0]++);
            matrix(w, p + "attn_output.weight", type, shape.dim(), shape.heads() * shape.headDim(), seed, index[0]++);
            norm(w, p + "ffn_norm.weight", shape.dim(), seed, index[0]++);
            matrix(w, p + "ffn_gate.weight", type, shape.ffDim(), shape.dim(), seed, index[0]++);
            matrix(w, p + "ffn_up.weight", type, shape.ffDim(), shape.dim(), seed, index[0]++);
            matrix(w, p + "ffn_down.weight", type, shape.dim(), shape.ffDim(), seed, index[0]++);
        }
        norm(w, "output_norm.weight", shape.dim(), seed, index[0]++);
        if (!shape.tiedEmbeddings()) {
            matrix(w, "output.weight", type, shape.vocab(), shape.dim(), seed, index[0]++);
        }
        w.write(out);
    }

    /** Byte-level SentencePiece vocabulary padded with unused tokens. */
    private static void vocabulary(GgufWriter w, int size) {
        ByteVocabulary vocabulary = ByteVocabulary.of(size);
        w.putString("tokenizer.ggml.model", "llama");
        w.putString("tokenizer.ggml.pre", "default");
        w.putStrings("tokenizer.ggml.tokens", vocabulary.tokens());
        w.putF32s("tokenizer.ggml.scores", vocabulary.scores());
        w.putI32s("tokenizer.ggml.token_type", vocabulary.types());
        w.putU32("tokenizer.ggml.unknown_token_id", 0);
        w.putU32("tokenizer.ggml.bos_token_id", 1);
        w.putU32("tokenizer.ggml.eos_token_id", 2);
        w.putBool("tokenizer.ggml.add_bos_token", true);
        w.putBool("tokenizer.ggml.add_eos_token", false);
        w.putBool("tokenizer.ggml.add_space_prefix", false);
    }

    private static void matrix(GgufWriter w, String name, GgmlType type, int rows, int cols, long seed, int tensor) {
        long rowBytes = type.byteSize(cols);
        w.addTensor(name, type, new long[] {cols, rows}, dst -> IntStream.range(0, rows).parallel().forEach(r -> {
            float[] row = ROW.get();
            if (row.length < cols) {
                row = new float[cols];
                ROW.set(row);
            }
            matrixRow(seed, tensor, r, cols, row);
            GgmlQuants.encode(type, row, 0, cols, dst, r * rowBytes);
        }));
    }

    /** Row {@code row} of matrix tensor number {@code tensor} (file order) before encoding. */
    public static void matrixRow(long seed, int tensor, int row, int cols, float[] out) {
        double scale = 1 / Math.sqrt(cols);
        Gaussian g = new Gaussian(rowSeed(seed, tensor, row));
        for (int i = 0; i < cols; i++) {
            out[i] = (float) (g.next() * scale);
        }
    }

    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    private static void norm(GgufWriter w, String name, int n, long seed, int tensor) {
        w.addTensor(name, GgmlType.F32, new long[] {n}, dst -> {
            Gaussian g = new Gaussian(rowSeed(seed, tensor, 0));
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (1.0 + 0.05 * g.next());
            }
            GgmlQuants.writeF32(v, 0, n, dst, 0);
        });
    }

    static long rowSeed(long seed, int tensor, int row) {
        return Gaussian.mix(Gaussian.mix(seed ^ 0x5DEECE66DL) + tensor * 0x9E3779B97F4A7C15L + row);
    }

    /**
     * Standard normal numbers: SplitMix64 uniforms and Marsaglia's polar method with StrictMath,
     * so a seed gives the same weights on every JDK.
     */
    static final class Gaussian {
        private long state;
        private double spare;
        private boolean hasSpare;

        Gaussian(long seed) {
            this.state = seed;
        }

        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        private double uniform() {
            state += 0x9E3779B97F4A7C15L;
            return (mix(state) >>> 11) * 0x1.0p-53; // [0, 1)
        }

        double next() {
            if (hasSpare) {
                hasSpare = false;
                return spare;
            }
            double u;
            double v;
            double s;
            do {
                u = 2 * uniform() - 1;
                v = 2 * uniform() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            double m = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
            spare = v * m;
            hasSpare = true;
            return u * m;
        }
    }
}
