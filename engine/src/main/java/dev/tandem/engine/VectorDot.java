package dev.tandem.engine;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
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

    static void expShifted(float[] x, int n, float max) {
        FloatVector m = FloatVector.broadcast(F, max);
        for (int t = 0; t < n; t += F.length()) {
            var inRange = F.indexInRange(t, n);
            exp(FloatVector.fromArray(F, x, t, inRange).sub(m)).intoArray(x, t, inRange);
        }
    }

    static void swiglu(float[] gate, float[] up) {
        int n = gate.length;
        for (int i = 0; i < n; i += F.length()) {
            var inRange = F.indexInRange(i, n);
            FloatVector g = FloatVector.fromArray(F, gate, i, inRange);
            FloatVector e = exp(g.neg());
            g.div(e.add(1f)).mul(FloatVector.fromArray(F, up, i, inRange)).intoArray(gate, i, inRange);
        }
    }

    /** {@link Dot#exp} lane by lane. */
    private static FloatVector exp(FloatVector v) {
        FloatVector k = v.fma(Dot.LOG2E, Dot.ROUND).sub(Dot.ROUND);
        FloatVector r = k.fma(FloatVector.broadcast(F, -Dot.LN2_LO), k.fma(FloatVector.broadcast(F, -Dot.LN2_HI), v));
        FloatVector p = FloatVector.broadcast(F, Dot.EXP_POLY[0]);
        for (int i = 1; i < Dot.EXP_POLY.length; i++) {
            p = p.fma(r, FloatVector.broadcast(F, Dot.EXP_POLY[i]));
        }
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        FloatVector scale = ((IntVector) k.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return y.mul(scale)
                .blend(0f, v.compare(VectorOperators.LT, Dot.EXP_MIN))
                .blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.GT, Dot.EXP_MAX));
    }

    /** Whether {@link #blockScores} serves rows of this many positions (whole vectors: its loads are not masked). */
    static boolean servesBlocks(int stride) {
        return stride % F.length() == 0;
    }

    static void blockScores(float[] q, int qOff, float[] k, int kOff, int stride, int count, int headDim, float scale,
                            float[] scores, int sOff) {
        for (int t = 0; t < count; t += F.length()) {
            FloatVector c0 = FloatVector.zero(F);
            FloatVector c1 = c0;
            FloatVector c2 = c0;
            FloatVector c3 = c0;
            int base = kOff + t;
            int d = 0;
            for (; d + 4 <= headDim; d += 4) {
                c0 = FloatVector.fromArray(F, k, base + d * stride).fma(FloatVector.broadcast(F, q[qOff + d]), c0);
                c1 = FloatVector.fromArray(F, k, base + (d + 1) * stride).fma(FloatVector.broadcast(F, q[qOff + d + 1]), c1);
                c2 = FloatVector.fromArray(F, k, base + (d + 2) * stride).fma(FloatVector.broadcast(F, q[qOff + d + 2]), c2);
                c3 = FloatVector.fromArray(F, k, base + (d + 3) * stride).fma(FloatVector.broadcast(F, q[qOff + d + 3]), c3);
            }
            if (d < headDim) {
                c0 = FloatVector.fromArray(F, k, base + d * stride).fma(FloatVector.broadcast(F, q[qOff + d]), c0);
            }
            if (d + 1 < headDim) {
                c1 = FloatVector.fromArray(F, k, base + (d + 1) * stride).fma(FloatVector.broadcast(F, q[qOff + d + 1]), c1);
            }
            if (d + 2 < headDim) {
                c2 = FloatVector.fromArray(F, k, base + (d + 2) * stride).fma(FloatVector.broadcast(F, q[qOff + d + 2]), c2);
            }
            c0.add(c1).add(c2.add(c3)).mul(scale).intoArray(scores, sOff + t, F.indexInRange(t, count));
        }
    }

    static void weightedSum(float[] out, int outOff, float[] p, int pOff, float[] v, int vOff, int vStride, int count,
                            int n) {
        int d = 0;
        int upper = F.loopBound(n);
        for (; d < upper; d += F.length()) {
            FloatVector acc = FloatVector.fromArray(F, out, outOff + d);
            for (int t = 0; t < count; t++) {
                acc = acc.add(FloatVector.fromArray(F, v, vOff + t * vStride + d).mul(p[pOff + t]));
            }
            acc.intoArray(out, outOff + d);
        }
        for (; d < n; d++) {
            float o = out[outOff + d];
            for (int t = 0; t < count; t++) {
                o += p[pOff + t] * v[vOff + t * vStride + d];
            }
            out[outOff + d] = o;
        }
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
     * A tile of n decoded rows (row i at {@code wOff + i·cols} of w) times two vectors:
     * {@code oj[r0 + i] = row i · xj}. Four rows at a time with eight accumulators, so each
     * activation vector loaded feeds four FMAs and each weight vector two (a short last group
     * repeats its last row). Every output is the same FMA chain as
     * {@link #dot(float[], int, float[], int, int)}. (Measured in the engine: twice the speed of
     * two rows × four vectors; six rows × two was slower.) Larger than C2 inlines into a caller, so
     * it is compiled on its own (see {@link VectorQuant}).
     */
    static void tile42(float[] w, int wOff, int n, int cols, float[] x0, float[] x1, float[] o0, float[] o1, int r0) {
        int upper = F.loopBound(cols);
        for (int i = 0; i < n; i += 4) {
            int wa = wOff + i * cols;
            int wb = wOff + Math.min(i + 1, n - 1) * cols;
            int wc = wOff + Math.min(i + 2, n - 1) * cols;
            int wd = wOff + Math.min(i + 3, n - 1) * cols;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector d0 = a0;
            FloatVector d1 = a0;
            int k = 0;
            for (; k < upper; k += F.length()) {
                FloatVector v0 = FloatVector.fromArray(F, x0, k);
                FloatVector v1 = FloatVector.fromArray(F, x1, k);
                FloatVector u = FloatVector.fromArray(F, w, wa + k);
                a0 = u.fma(v0, a0);
                a1 = u.fma(v1, a1);
                u = FloatVector.fromArray(F, w, wb + k);
                b0 = u.fma(v0, b0);
                b1 = u.fma(v1, b1);
                u = FloatVector.fromArray(F, w, wc + k);
                c0 = u.fma(v0, c0);
                c1 = u.fma(v1, c1);
                u = FloatVector.fromArray(F, w, wd + k);
                d0 = u.fma(v0, d0);
                d1 = u.fma(v1, d1);
            }
            float sa0 = sum(a0);
            float sa1 = sum(a1);
            float sb0 = sum(b0);
            float sb1 = sum(b1);
            float sc0 = sum(c0);
            float sc1 = sum(c1);
            float sd0 = sum(d0);
            float sd1 = sum(d1);
            for (; k < cols; k++) {
                sa0 += w[wa + k] * x0[k];
                sa1 += w[wa + k] * x1[k];
                sb0 += w[wb + k] * x0[k];
                sb1 += w[wb + k] * x1[k];
                sc0 += w[wc + k] * x0[k];
                sc1 += w[wc + k] * x1[k];
                sd0 += w[wd + k] * x0[k];
                sd1 += w[wd + k] * x1[k];
            }
            o0[r0 + i] = sa0;
            o1[r0 + i] = sa1;
            if (i + 1 < n) {
                o0[r0 + i + 1] = sb0;
                o1[r0 + i + 1] = sb1;
            }
            if (i + 2 < n) {
                o0[r0 + i + 2] = sc0;
                o1[r0 + i + 2] = sc1;
            }
            if (i + 3 < n) {
                o0[r0 + i + 3] = sd0;
                o1[r0 + i + 3] = sd1;
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
