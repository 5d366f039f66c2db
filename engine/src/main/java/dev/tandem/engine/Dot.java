package dev.tandem.engine;

import dev.tandem.engine.simd.VectorSupport;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Dot products, the engine's only hot kernel. Uses the Vector API where {@link VectorSupport} allows it, plain
 * loops otherwise, so the engine also runs on a JVM started without {@code --add-modules jdk.incubator.vector},
 * and in a native image.
 */
final class Dot {

    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final boolean VECTOR = VectorSupport.ENABLED;

    /** Integer dot products with 8-bit activations on 256-bit vectors ({@link VectorQuant}). */
    static final boolean INT8 = VECTOR && VectorQuant.supported();

    private Dot() {
    }

    // exp (softmax, SiLU): Cephes' expf, a degree-6 polynomial after reducing by multiples of ln 2, about 1 ulp.
    static final float LOG2E = 1.44269504088896341f;
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** Adding and subtracting 1.5·2^23 rounds to an integer (half to even). */
    static final float ROUND = 0x1.8p23f;
    /** Below this, 2^n leaves the normal floats: the result is taken as 0. */
    static final float EXP_MIN = -87.33654f;
    /** Above this, the result is taken as infinity (exp(88) is 1.65e38, near the largest float). */
    static final float EXP_MAX = 88f;
    static final float[] EXP_POLY = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f,
            1.6666665459e-1f, 5.0000001201e-1f};

    /**
     * x[t] = exp(x[t] − max) for t in [0, n), max ≥ every x[t]; returns their sum, added in order in double as ggml's
     * softmax does. Only multiplies, adds and fused multiply-adds, so the vector form gives the same bits.
     */
    static double expShifted(float[] x, int n, float max) {
        if (VECTOR) {
            VectorDot.expShifted(x, n, max);
        } else {
            for (int t = 0; t < n; t++) {
                x[t] = exp(x[t] - max);
            }
        }
        double sum = 0;
        for (int t = 0; t < n; t++) {
            sum += x[t];
        }
        return sum;
    }

    /** exp(x) within 2 ulp, 0 below {@link #EXP_MIN}, infinity above {@link #EXP_MAX} (see {@link #expShifted}). */
    static float exp(float x) {
        if (x < EXP_MIN) {
            return 0f;
        }
        if (x > EXP_MAX) {
            return Float.POSITIVE_INFINITY;
        }
        float k = Math.fma(x, LOG2E, ROUND) - ROUND;
        float r = Math.fma(k, -LN2_LO, Math.fma(k, -LN2_HI, x));
        float p = EXP_POLY[0];
        for (int i = 1; i < EXP_POLY.length; i++) {
            p = Math.fma(p, r, EXP_POLY[i]);
        }
        float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat(((int) k + 127) << 23);
    }

    /**
     * gate[i] = silu(gate[i])·up[i] = gate[i] / (1 + exp(−gate[i]))·up[i], as ggml's SwiGLU, with {@link #exp}. Only
     * IEEE operations, so the vector form gives the same bits.
     */
    static void swiglu(float[] gate, float[] up) {
        if (VECTOR) {
            VectorDot.swiglu(gate, up);
        } else {
            for (int i = 0; i < gate.length; i++) {
                float g = gate[i];
                gate[i] = g / (1f + exp(-g)) * up[i];
            }
        }
    }

    /**
     * Attention scores of one KV block: scores[sOff + t] = ((c0 + c1) + (c2 + c3))·scale for t in [0, count), where
     * cr = Σ q[qOff + d]·k[kOff + d·stride + t] over d ≡ r (mod 4), in fused multiply-adds in order of d (k: the
     * block's keys dimension-major, one row of {@code stride} positions per dimension). The vector form gives the
     * same bits.
     */
    static void blockScores(float[] q, int qOff, float[] k, int kOff, int stride, int count, int headDim, float scale,
                            float[] scores, int sOff) {
        if (VECTOR && VectorDot.servesBlocks(stride)) {
            VectorDot.blockScores(q, qOff, k, kOff, stride, count, headDim, scale, scores, sOff);
        } else {
            scalarBlockScores(q, qOff, k, kOff, stride, count, headDim, scale, scores, sOff);
        }
    }

    static void scalarBlockScores(float[] q, int qOff, float[] k, int kOff, int stride, int count, int headDim,
                                  float scale, float[] scores, int sOff) {
        for (int t = 0; t < count; t++) {
            float c0 = 0f;
            float c1 = 0f;
            float c2 = 0f;
            float c3 = 0f;
            int d = 0;
            for (; d + 4 <= headDim; d += 4) {
                c0 = Math.fma(q[qOff + d], k[kOff + d * stride + t], c0);
                c1 = Math.fma(q[qOff + d + 1], k[kOff + (d + 1) * stride + t], c1);
                c2 = Math.fma(q[qOff + d + 2], k[kOff + (d + 2) * stride + t], c2);
                c3 = Math.fma(q[qOff + d + 3], k[kOff + (d + 3) * stride + t], c3);
            }
            if (d < headDim) {
                c0 = Math.fma(q[qOff + d], k[kOff + d * stride + t], c0);
            }
            if (d + 1 < headDim) {
                c1 = Math.fma(q[qOff + d + 1], k[kOff + (d + 1) * stride + t], c1);
            }
            if (d + 2 < headDim) {
                c2 = Math.fma(q[qOff + d + 2], k[kOff + (d + 2) * stride + t], c2);
            }
            scores[sOff + t] = ((c0 + c1) + (c2 + c3)) * scale;
        }
    }

    /**
     * out[outOff + d] += p[pOff + t]·v[vOff + t·vStride + d] for d in [0, n), t = 0..count−1 in order: a multiply
     * then an add per element and position, as the plain loop rounds them, so the vector form gives the same bits.
     */
    static void weightedSum(float[] out, int outOff, float[] p, int pOff, float[] v, int vOff, int vStride, int count,
                            int n) {
        if (VECTOR) {
            VectorDot.weightedSum(out, outOff, p, pOff, v, vOff, vStride, count, n);
        } else {
            scalarWeightedSum(out, outOff, p, pOff, v, vOff, vStride, count, n);
        }
    }

    static void scalarWeightedSum(float[] out, int outOff, float[] p, int pOff, float[] v, int vOff, int vStride,
                                  int count, int n) {
        for (int t = 0; t < count; t++) {
            float pt = p[pOff + t];
            int row = vOff + t * vStride;
            for (int d = 0; d < n; d++) {
                out[outOff + d] += pt * v[row + d];
            }
        }
    }

    /** Σ a[aOff+i]·b[bOff+i] for i in [0, n). */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return VECTOR ? VectorDot.dot(a, aOff, b, bOff, n) : scalar(a, aOff, b, bOff, n);
    }

    /** Σ w[i]·x[xOff+i] where w is n little-endian float32 values at {@code byteOffset} of the segment. */
    static float dot(MemorySegment w, long byteOffset, float[] x, int xOff, int n) {
        return VECTOR ? VectorDot.dot(w, byteOffset, x, xOff, n) : scalar(w, byteOffset, x, xOff, n);
    }

    /**
     * out[j] = w · xj for four activation vectors at once (offset 0 each). Per batch element the
     * result is bit-identical to {@link #dot(float[], int, float[], int, int)}, so how sequences are
     * grouped into batches never changes their logits.
     */
    static void dot4(float[] w, float[] x0, float[] x1, float[] x2, float[] x3, int n, float[] out) {
        if (VECTOR) {
            VectorDot.dot4(w, x0, x1, x2, x3, n, out);
        } else {
            out[0] = scalar(w, 0, x0, 0, n);
            out[1] = scalar(w, 0, x1, 0, n);
            out[2] = scalar(w, 0, x2, 0, n);
            out[3] = scalar(w, 0, x3, 0, n);
        }
    }

    /** {@code oj[r0 + i] = row i · xj} for a tile of n rows (row i at {@code wOff + i·cols} of w) and two vectors. */
    static void tile42(float[] w, int wOff, int n, int cols, float[] x0, float[] x1, float[] o0, float[] o1, int r0) {
        if (VECTOR) {
            VectorDot.tile42(w, wOff, n, cols, x0, x1, o0, o1, r0);
        } else {
            for (int i = 0; i < n; i++) {
                o0[r0 + i] = scalar(w, wOff + i * cols, x0, 0, cols);
                o1[r0 + i] = scalar(w, wOff + i * cols, x1, 0, cols);
            }
        }
    }

    /** {@code o[r0 + i] = row i · x} for a tile of n rows. */
    static void tile1(float[] w, int wOff, int n, int cols, float[] x, float[] o, int r0) {
        if (VECTOR) {
            VectorDot.tile1(w, wOff, n, cols, x, o, r0);
        } else {
            for (int i = 0; i < n; i++) {
                o[r0 + i] = scalar(w, wOff + i * cols, x, 0, cols);
            }
        }
    }

    /** {@link #dot4(float[], float[], float[], float[], float[], int, float[])} with the row in a segment. */
    static void dot4(MemorySegment w, long byteOffset, float[] x0, float[] x1, float[] x2, float[] x3, int n, float[] out) {
        if (VECTOR) {
            VectorDot.dot4(w, byteOffset, x0, x1, x2, x3, n, out);
        } else {
            out[0] = scalar(w, byteOffset, x0, 0, n);
            out[1] = scalar(w, byteOffset, x1, 0, n);
            out[2] = scalar(w, byteOffset, x2, 0, n);
            out[3] = scalar(w, byteOffset, x3, 0, n);
        }
    }

    static float scalar(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    static float scalar(MemorySegment w, long byteOffset, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += w.get(LE_FLOAT, byteOffset + 4L * i) * x[xOff + i];
        }
        return sum;
    }
}
