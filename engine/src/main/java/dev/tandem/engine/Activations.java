package dev.tandem.engine;

/**
 * The input of one matrix product: {@code batch} activation vectors, plus, on request, the same
 * vectors quantized to 8 bits the way llama.cpp quantizes activations before multiplying them with
 * quantized weights, so that the engine computes the same integer dot products:
 * <ul>
 *   <li>{@link #quantizeQ8_0()}: blocks of 32 (for Q8_0 and Q4_0 weights), x86 {@code quantize_row_q8_0}:
 *       d = max|x|/127 stored as half, q = round-half-even(x·127/max|x|);</li>
 *   <li>{@link #quantizeQ8_K()}: blocks of 256 (for the K-quants), {@code quantize_row_q8_K_ref}:
 *       d = max/−127 as float (max the signed value of largest magnitude), q = nearest(x/d) ≤ 127,
 *       plus the sum of q per 32.</li>
 * </ul>
 * Prompt processing ({@code prompt}) multiplies the dequantized values of these activations
 * ({@link #dequantizedQ8_0()}, {@link #dequantizedQ8_K()}: d·q, exact in float) with dequantized
 * weights in the float GEMM: the activations round exactly as llama.cpp's, only the summation
 * differs (in the last bits), at the speed of the float kernels.
 *
 * <p>Quantize before the parallel region that reads the result; the getters are then safe to use
 * from any thread.
 */
final class Activations {

    static final int Q8_0_BLOCK = 32;
    static final int Q8_K_BLOCK = 256;

    final float[][] x;
    final int batch;
    final boolean prompt;

    private short[][] q80;
    private float[][] d80;
    private short[][] q8k;
    private float[][] d8k;
    private int[][] sum8k;
    private float[][] deq80;
    private float[][] deq8k;

    Activations(float[][] x, int batch, boolean prompt) {
        this.x = x;
        this.batch = batch;
        this.prompt = prompt;
    }

    /** The Q8_0 values times their scales, as floats (after {@link #quantizeQ8_0()}). */
    float[][] dequantizedQ8_0() {
        if (deq80 == null) {
            deq80 = dequantize(q80, d80, Q8_0_BLOCK);
        }
        return deq80;
    }

    /** The Q8_K values times their scales, as floats (after {@link #quantizeQ8_K()}). */
    float[][] dequantizedQ8_K() {
        if (deq8k == null) {
            deq8k = dequantize(q8k, d8k, Q8_K_BLOCK);
        }
        return deq8k;
    }

    private float[][] dequantize(short[][] q, float[][] d, int block) {
        float[][] out = new float[batch][];
        for (int b = 0; b < batch; b++) {
            out[b] = new float[q[b].length];
            for (int i = 0; i < out[b].length; i++) {
                out[b][i] = d[b][i / block] * q[b][i];
            }
        }
        return out;
    }

    /** Quantizes to Q8_0 blocks (idempotent). */
    void quantizeQ8_0() {
        if (q80 != null) {
            return;
        }
        short[][] qs = new short[batch][];
        float[][] ds = new float[batch][];
        for (int b = 0; b < batch; b++) {
            float[] v = x[b];
            requireMultiple(v.length, Q8_0_BLOCK);
            qs[b] = new short[v.length];
            ds[b] = new float[v.length / Q8_0_BLOCK];
            quantizeQ8_0(v, qs[b], ds[b]);
        }
        d80 = ds;
        q80 = qs;
    }

    /** Quantizes to Q8_K blocks (idempotent). */
    void quantizeQ8_K() {
        if (q8k != null) {
            return;
        }
        short[][] qs = new short[batch][];
        float[][] ds = new float[batch][];
        int[][] sums = new int[batch][];
        for (int b = 0; b < batch; b++) {
            float[] v = x[b];
            requireMultiple(v.length, Q8_K_BLOCK);
            qs[b] = new short[v.length];
            ds[b] = new float[v.length / Q8_K_BLOCK];
            sums[b] = new int[v.length / 32];
            quantizeQ8_K(v, qs[b], ds[b], sums[b]);
        }
        d8k = ds;
        sum8k = sums;
        q8k = qs;
    }

    /** Q8_0 values of vector b (widened to short). */
    short[] q8_0(int b) {
        return q80[b];
    }

    /** Q8_0 scales of vector b, one per 32 values. */
    float[] d8_0(int b) {
        return d80[b];
    }

    /** Q8_K values of vector b (widened to short). */
    short[] q8_K(int b) {
        return q8k[b];
    }

    /** Q8_K scales of vector b, one per 256 values. */
    float[] d8_K(int b) {
        return d8k[b];
    }

    /** Sums of the Q8_K values of vector b, one per 32. */
    int[] sum8_K(int b) {
        return sum8k[b];
    }

    private static void requireMultiple(int length, int block) {
        if (length % block != 0) {
            throw new IllegalStateException("activation length " + length + " is not a multiple of " + block);
        }
    }

    static void quantizeQ8_0(float[] x, short[] q, float[] d) {
        for (int blk = 0; blk < x.length / Q8_0_BLOCK; blk++) {
            int o = blk * Q8_0_BLOCK;
            float max = 0f;
            for (int j = 0; j < Q8_0_BLOCK; j++) {
                max = Math.max(max, Math.abs(x[o + j]));
            }
            d[blk] = Float.float16ToFloat(Float.floatToFloat16(max / 127f));
            float id = max != 0f ? 127f / max : 0f;
            for (int j = 0; j < Q8_0_BLOCK; j++) {
                q[o + j] = (short) Math.rint(x[o + j] * id);
            }
        }
    }

    static void quantizeQ8_K(float[] x, short[] q, float[] d, int[] sums) {
        for (int blk = 0; blk < x.length / Q8_K_BLOCK; blk++) {
            int o = blk * Q8_K_BLOCK;
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < Q8_K_BLOCK; j++) {
                float ax = Math.abs(x[o + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[o + j];
                }
            }
            if (amax == 0f) {
                d[blk] = 0f;
                java.util.Arrays.fill(q, o, o + Q8_K_BLOCK, (short) 0);
            } else {
                float iscale = -127f / max;
                for (int j = 0; j < Q8_K_BLOCK; j++) {
                    q[o + j] = (short) Math.min(127, (int) Math.rint(iscale * x[o + j]));
                }
                d[blk] = 1f / iscale;
            }
            for (int s = 0; s < Q8_K_BLOCK / 32; s++) {
                int sum = 0;
                for (int j = 0; j < 32; j++) {
                    sum += q[o + 32 * s + j];
                }
                sums[blk * (Q8_K_BLOCK / 32) + s] = sum;
            }
        }
    }
}
