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
    private static float sum(FloatVector v) {
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
