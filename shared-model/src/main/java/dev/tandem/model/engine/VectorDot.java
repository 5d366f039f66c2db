package dev.tandem.model.engine;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API dot products. Only loaded when {@link Dot#VECTOR} is true, so a JVM without the
 * incubator module never touches these classes.
 */
final class VectorDot {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private VectorDot() {
    }

    /**
     * Sum of the lanes in a fixed order. reduceLanes(ADD) leaves the order to the implementation
     * (the intrinsic and the interpreter may differ), which would let JIT warm-up change a result
     * in the last bit; a fixed order keeps every dot product reproducible.
     */
    static float sum(FloatVector v) {
        float s = 0f;
        for (int l = 0; l < F.length(); l++) {
            s += v.lane(l);
        }
        return s;
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        int upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector va = FloatVector.fromArray(F, a, aOff + i);
            FloatVector vb = FloatVector.fromArray(F, b, bOff + i);
            acc = va.fma(vb, acc);
        }
        float sum = sum(acc);
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    static float dot(MemorySegment w, long byteOffset, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        int upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector vw = FloatVector.fromMemorySegment(F, w, byteOffset + 4L * i, ByteOrder.LITTLE_ENDIAN);
            FloatVector vx = FloatVector.fromArray(F, x, xOff + i);
            acc = vw.fma(vx, acc);
        }
        float sum = sum(acc);
        for (; i < n; i++) {
            sum += w.get(Dot.LE_FLOAT, byteOffset + 4L * i) * x[xOff + i];
        }
        return sum;
    }

    /**
     * Four dot products of one weight row (floats) with four activation vectors: each weight
     * vector is loaded once and used four times, which is what makes batching cheaper than
     * separate steps.
     */
    static void dot4(float[] w, float[] x0, float[] x1, float[] x2, float[] x3, int n, float[] out) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int i = 0;
        int upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector vw = FloatVector.fromArray(F, w, i);
            a0 = vw.fma(FloatVector.fromArray(F, x0, i), a0);
            a1 = vw.fma(FloatVector.fromArray(F, x1, i), a1);
            a2 = vw.fma(FloatVector.fromArray(F, x2, i), a2);
            a3 = vw.fma(FloatVector.fromArray(F, x3, i), a3);
        }
        float s0 = sum(a0);
        float s1 = sum(a1);
        float s2 = sum(a2);
        float s3 = sum(a3);
        for (; i < n; i++) {
            s0 += w[i] * x0[i];
            s1 += w[i] * x1[i];
            s2 += w[i] * x2[i];
            s3 += w[i] * x3[i];
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    /**
     * A tile of n decoded rows (row i at {@code wOff + i·cols} of w) times four vectors: {@code oj[r0 + i] =
     * row i · xj}. Rows go two at a time with eight accumulators, so each weight and activation
     * vector loaded feeds two or four FMAs (an odd last row is paired with itself). Every output is
     * the same FMA chain as {@link #dot(float[], int, float[], int, int)}. Larger than C2 inlines
     * into a caller, so it is compiled on its own (see {@link VectorQuant}).
     */
    static void tile4(float[] w, int wOff, int n, int cols, float[] x0, float[] x1, float[] x2, float[] x3,
                      float[] o0, float[] o1, float[] o2, float[] o3, int r0) {
        int upper = F.loopBound(cols);
        for (int i = 0; i < n; i += 2) {
            int wa = wOff + i * cols;
            int wb = wOff + Math.min(i + 1, n - 1) * cols;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector b2 = a0;
            FloatVector b3 = a0;
            int k = 0;
            for (; k < upper; k += F.length()) {
                FloatVector va = FloatVector.fromArray(F, w, wa + k);
                FloatVector vb = FloatVector.fromArray(F, w, wb + k);
                FloatVector v = FloatVector.fromArray(F, x0, k);
                a0 = va.fma(v, a0);
                b0 = vb.fma(v, b0);
                v = FloatVector.fromArray(F, x1, k);
                a1 = va.fma(v, a1);
                b1 = vb.fma(v, b1);
                v = FloatVector.fromArray(F, x2, k);
                a2 = va.fma(v, a2);
                b2 = vb.fma(v, b2);
                v = FloatVector.fromArray(F, x3, k);
                a3 = va.fma(v, a3);
                b3 = vb.fma(v, b3);
            }
            float s0 = sum(a0);
            float s1 = sum(a1);
            float s2 = sum(a2);
            float s3 = sum(a3);
            float t0 = sum(b0);
            float t1 = sum(b1);
            float t2 = sum(b2);
            float t3 = sum(b3);
            for (; k < cols; k++) {
                float wk = w[wa + k];
                float vk = w[wb + k];
                s0 += wk * x0[k];
                s1 += wk * x1[k];
                s2 += wk * x2[k];
                s3 += wk * x3[k];
                t0 += vk * x0[k];
                t1 += vk * x1[k];
                t2 += vk * x2[k];
                t3 += vk * x3[k];
            }
            o0[r0 + i] = s0;
            o1[r0 + i] = s1;
            o2[r0 + i] = s2;
            o3[r0 + i] = s3;
            if (i + 1 < n) {
                o0[r0 + i + 1] = t0;
                o1[r0 + i + 1] = t1;
                o2[r0 + i + 1] = t2;
                o3[r0 + i + 1] = t3;
            }
        }
    }

    /** A tile of n decoded rows times one vector, two rows at a time: {@code o[r0 + i] = row i · x}. */
    static void tile1(float[] w, int wOff, int n, int cols, float[] x, float[] o, int r0) {
        int upper = F.loopBound(cols);
        for (int i = 0; i < n; i += 2) {
            int wa = wOff + i * cols;
            int wb = wOff + Math.min(i + 1, n - 1) * cols;
            FloatVector a = FloatVector.zero(F);
            FloatVector b = a;
            int k = 0;
            for (; k < upper; k += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, k);
                a = FloatVector.fromArray(F, w, wa + k).fma(v, a);
                b = FloatVector.fromArray(F, w, wb + k).fma(v, b);
            }
            float s = sum(a);
            float t = sum(b);
            for (; k < cols; k++) {
                s += w[wa + k] * x[k];
                t += w[wb + k] * x[k];
            }
            o[r0 + i] = s;
            if (i + 1 < n) {
                o[r0 + i + 1] = t;
            }
        }
    }

    /** {@link #dot4(float[], float[], float[], float[], float[], int, float[])} with the row in a segment. */
    static void dot4(MemorySegment w, long byteOffset, float[] x0, float[] x1, float[] x2, float[] x3, int n, float[] out) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int i = 0;
        int upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector vw = FloatVector.fromMemorySegment(F, w, byteOffset + 4L * i, ByteOrder.LITTLE_ENDIAN);
            a0 = vw.fma(FloatVector.fromArray(F, x0, i), a0);
            a1 = vw.fma(FloatVector.fromArray(F, x1, i), a1);
            a2 = vw.fma(FloatVector.fromArray(F, x2, i), a2);
            a3 = vw.fma(FloatVector.fromArray(F, x3, i), a3);
        }
        float s0 = sum(a0);
        float s1 = sum(a1);
        float s2 = sum(a2);
        float s3 = sum(a3);
        for (; i < n; i++) {
            float wi = w.get(Dot.LE_FLOAT, byteOffset + 4L * i);
            s0 += wi * x0[i];
            s1 += wi * x1[i];
            s2 += wi * x2[i];
            s3 += wi * x3[i];
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }
}
