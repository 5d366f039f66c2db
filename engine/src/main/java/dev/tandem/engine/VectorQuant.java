package dev.tandem.engine;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Integer dot products of Q8_0 / Q4_0 weight rows with 8-bit activations ({@link Activations}),
 * llama.cpp's arithmetic: per block of 32, an exact integer sum of q_w·q_x, then one float FMA
 * with d_w·d_x ({@code out = fma(Σ, d_w·d_x, out)}, block after block; the native kernels compute the same). Written for 256-bit vectors (AVX2 and up): int8 values are widened to 16 lanes of
 * short, multiplied (|q_w·q_x| ≤ 128·127, two of them fit a short), and neighbouring lanes are
 * added into 8 int lanes. Only loaded when {@link Dot#INT8} is true.
 *
 * <p>Per (row, activation) the operations are the same in the fused kernels (one activation, the
 * row read straight from the mapping) and the widened-row kernels (batches: the row is widened to
 * shorts once and multiplied with each activation), so the batch a sequence is decoded in never
 * changes its logits. Kernels stay small on purpose: C2 stops inlining Vector API calls in a
 * method past a node budget, and a vector that is not inlined is boxed.
 */
final class VectorQuant {

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;

    private VectorQuant() {
    }

    /** Whether the platform runs 256-bit vectors natively (otherwise the scalar kernels are faster). */
    static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    private static float half(MemorySegment w, long offset) {
        return Float.float16ToFloat(w.get(F16Matrix.LE_SHORT, offset));
    }

    /**
     * Lanes summed in a fixed order (see {@link VectorDot#sum}), through an array: extracting lanes
     * one by one costs C2 far more IR, which counts against its inlining budget.
     */
    private static float sum(FloatVector v) {
        float[] lanes = new float[8];
        v.intoArray(lanes, 0);
        float s = 0f;
        for (int l = 0; l < 8; l++) {
            s += lanes[l];
        }
        return s;
    }

    /** 16 signed bytes widened to shorts. */
    private static ShortVector signed16(MemorySegment w, long offset) {
        return (ShortVector) ByteVector.fromMemorySegment(B, w, offset, LE).convertShape(VectorOperators.B2S, S, 0);
    }

    /** 16 bytes widened to shorts without sign. */
    private static ShortVector unsigned16(MemorySegment w, long offset) {
        return (ShortVector) ByteVector.fromMemorySegment(B, w, offset, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
    }

    /** Adjacent short lanes summed into 8 int lanes (exact: each short holds at most two int8·int8 products). */
    private static IntVector pairs(ShortVector p) {
        IntVector i = p.reinterpretAsInts();
        return i.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(i.lanewise(VectorOperators.ASHR, 16));
    }

    /** Σ over one block of 32, exact: w0·x[o..o+16) + w1·x[o+16..o+32). */
    private static int block(ShortVector w0, ShortVector w1, short[] x, int o) {
        return pairs(w0.mul(ShortVector.fromArray(S, x, o)).add(w1.mul(ShortVector.fromArray(S, x, o + 16))))
                .reduceLanes(VectorOperators.ADD);
    }

    // Kernels are compilation roots: each loops over rows itself and is larger than C2's inlining
    // limit for hot methods (325 bytecodes), so it is never inlined into a caller together with
    // another kernel. Inlined together they exceed C2's node budget, which leaves Vector API calls
    // un-inlined and their vectors boxed, ten times slower.

    /** out[r] = row r · x for rows [r0, r1): Q8_0 rows (34-byte blocks: half d, 32 int8) read from the mapping. */
    static void q8_0Rows(MemorySegment w, int r0, int r1, long rowBytes, int blocks, short[] xq, float[] xd, float[] out) {
        for (int r = r0; r < r1; r++) {
            long row = r * rowBytes;
            float acc = 0f;
            for (int b = 0; b < blocks; b++) {
                long o = row + 34L * b;
                float d = half(w, o);
                ShortVector w0 = signed16(w, o + 2);
                ShortVector w1 = signed16(w, o + 18);
                acc = Math.fma((float) block(w0, w1, xq, 32 * b), d * xd[b], acc);
            }
            out[r] = acc;
        }
        checkRange(r0, r1, out.length);
    }

    /**
     * out[r] = row r · x for rows [r0, r1): Q4_0 rows (18-byte blocks: half d, 16 bytes whose low
     * nibbles are elements 0-15 and high nibbles 16-31, both minus 8).
     */
    static void q4_0Rows(MemorySegment w, int r0, int r1, long rowBytes, int blocks, short[] xq, float[] xd, float[] out) {
        for (int r = r0; r < r1; r++) {
            long row = r * rowBytes;
            float acc = 0f;
            for (int b = 0; b < blocks; b++) {
                long o = row + 18L * b;
                float d = half(w, o);
                ShortVector q = unsigned16(w, o + 2);
                ShortVector lo = q.and((short) 0x0F).sub((short) 8);
                ShortVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((short) 8);
                acc = Math.fma((float) block(lo, hi, xq, 32 * b), d * xd[b], acc);
            }
            out[r] = acc;
        }
        checkRange(r0, r1, out.length);
    }

    private static void checkRange(int r0, int r1, int n) {
        if (r0 < 0 || r1 > n) {
            throw new IndexOutOfBoundsException("rows [" + r0 + ", " + r1 + ") outside 0.." + n);
        }
    }

    // ---- Batches: a tile of rows widened to shorts once, then multiplied with the activations two
    // at a time; per (row, activation) the same operations as the fused kernels above.

    /** Q8_0 rows [r0, r0 + n) to shorts (row i at cols·i) and scales (row i at blocks·i). */
    static void widenQ8_0(MemorySegment w, int r0, int n, long rowBytes, int blocks, short[] q, float[] d) {
        for (int i = 0; i < n; i++) {
            long row = (r0 + i) * rowBytes;
            int qo = 32 * blocks * i;
            for (int b = 0; b < blocks; b++) {
                long o = row + 34L * b;
                d[blocks * i + b] = half(w, o);
                signed16(w, o + 2).intoArray(q, qo + 32 * b);
                signed16(w, o + 18).intoArray(q, qo + 32 * b + 16);
            }
        }
    }

    /** Q4_0 rows [r0, r0 + n) to shorts (q − 8) and scales. */
    static void widenQ4_0(MemorySegment w, int r0, int n, long rowBytes, int blocks, short[] q, float[] d) {
        for (int i = 0; i < n; i++) {
            long row = (r0 + i) * rowBytes;
            int qo = 32 * blocks * i;
            for (int b = 0; b < blocks; b++) {
                long o = row + 18L * b;
                d[blocks * i + b] = half(w, o);
                ShortVector v = unsigned16(w, o + 2);
                v.and((short) 0x0F).sub((short) 8).intoArray(q, qo + 32 * b);
                v.lanewise(VectorOperators.LSHR, 4).sub((short) 8).intoArray(q, qo + 32 * b + 16);
            }
        }
    }

    /**
     * For the n widened rows of a tile and two activations: o0[r0 + i] = row i · x0, o1[r0 + i] =
     * row i · x1. (An odd activation out is passed twice.)
     */
    static void widenedPair(short[] wq, float[] wd, int n, int blocks, short[] q0, float[] d0, short[] q1, float[] d1,
                            float[] o0, float[] o1, int r0) {
        checkRange(r0, r0 + n, Math.min(o0.length, o1.length));
        for (int i = 0; i < n; i++) {
            int qo = 32 * blocks * i;
            int dOff = blocks * i;
            float a0 = 0f;
            float a1 = 0f;
            for (int b = 0; b < blocks; b++) {
                int x = 32 * b;
                ShortVector w0 = ShortVector.fromArray(S, wq, qo + x);
                ShortVector w1 = ShortVector.fromArray(S, wq, qo + x + 16);
                float d = wd[dOff + b];
                // block() written out twice: the same operations, and a method too large for C2
                // to inline into its caller (see above).
                IntVector p0 = w0.mul(ShortVector.fromArray(S, q0, x)).add(w1.mul(ShortVector.fromArray(S, q0, x + 16)))
                        .reinterpretAsInts();
                IntVector s0 = p0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(p0.lanewise(VectorOperators.ASHR, 16));
                a0 = Math.fma((float) s0.reduceLanes(VectorOperators.ADD), d * d0[b], a0);
                IntVector p1 = w0.mul(ShortVector.fromArray(S, q1, x)).add(w1.mul(ShortVector.fromArray(S, q1, x + 16)))
                        .reinterpretAsInts();
                IntVector s1 = p1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(p1.lanewise(VectorOperators.ASHR, 16));
                a1 = Math.fma((float) s1.reduceLanes(VectorOperators.ADD), d * d1[b], a1);
            }
            o0[r0 + i] = a0;
            o1[r0 + i] = a1;
        }
    }

    // ---- K-quants against Q8_K activations (256 per block, float scale, sums per 32). Per super-block
    // the integer Σ sc_j·Σ q·q_x is exact; then acc += (d_x·d)·isum and, for the mins,
    // accMin += (−d_x·dmin)·Σ m_j·sum_j, as ggml_vec_dot_q{4,5}_K_q8_K.

    private static ShortVector x16(short[] x, int o) {
        return ShortVector.fromArray(S, x, o);
    }

    private static final java.lang.foreign.ValueLayout.OfLong LE_LONG =
            java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    private static final java.lang.foreign.ValueLayout.OfInt LE_INT =
            java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    /** Byte i (0-11) of the 12 scale bytes held as a long (bytes 0-7) and an int (8-11). */
    private static int scaleByte(long lo, int hi, int i) {
        return (i < 8 ? (int) (lo >>> (8 * i)) : hi >>> (8 * (i - 8))) & 0xFF;
    }

    /**
     * ggml's get_scale_min_k4 on the 12 scale bytes read at once (scalar segment reads cost C2
     * many IR nodes; one per byte pushes these kernels past its inlining budget): scale in the low
     * byte, min in the next.
     */
    private static int scaleMin(long lo, int hi, int j) {
        int sc;
        int mn;
        if (j < 4) {
            sc = scaleByte(lo, hi, j) & 63;
            mn = scaleByte(lo, hi, j + 4) & 63;
        } else {
            sc = (scaleByte(lo, hi, j + 4) & 0xF) | ((scaleByte(lo, hi, j - 4) >>> 6) << 4);
            mn = (scaleByte(lo, hi, j + 4) >>> 4) | ((scaleByte(lo, hi, j) >>> 6) << 4);
        }
        return sc | mn << 8;
    }

    /** All lanes set or clear, to pick one of two vectors without a branch. */
    private static jdk.incubator.vector.VectorMask<Short> pick(boolean second) {
        return S.maskAll(second);
    }

    // The K-quant kernels loop over sub-blocks with one sub-block's work per iteration and carry
    // the high-bit vectors from one iteration to the next with constant shifts: the loop bodies
    // stay small enough for C2's inlining budget (see above).

    static float q4_K(MemorySegment w, long row, int blocks, short[] xq, float[] xd, int[] xs) {
        FloatVector acc = FloatVector.zero(F);
        float accMin = 0f;
        for (int b = 0; b < blocks; b++) {
            long o = row + (long) Q4_KMatrix.BLOCK_BYTES * b;
            float d = half(w, o);
            float dmin = half(w, o + 2);
            long sLo = w.get(LE_LONG, o + 4);
            int sHi = w.get(LE_INT, o + 12);
            IntVector isum = IntVector.zero(IntVector.SPECIES_256);
            int mins = 0;
            for (int sb = 0; sb < 8; sb++) {
                int sm = scaleMin(sLo, sHi, sb);
                long q = o + 16 + 32 * (sb >> 1);
                // Sub-block 2j: low nibbles of the 32 bytes of chunk j; 2j + 1: high nibbles.
                var high = pick((sb & 1) != 0);
                ShortVector qa = unsigned16(w, q);
                ShortVector qb = unsigned16(w, q + 16);
                qa = qa.and((short) 0x0F).blend(qa.lanewise(VectorOperators.LSHR, 4), high);
                qb = qb.and((short) 0x0F).blend(qb.lanewise(VectorOperators.LSHR, 4), high);
                int x = 256 * b + 32 * sb;
                isum = isum.add(pairs(qa.mul(x16(xq, x)).add(qb.mul(x16(xq, x + 16)))).mul(sm & 0xFF));
                mins += (sm >>> 8) * xs[8 * b + sb];
            }
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, xd[b] * d), acc);
            accMin += (-xd[b] * dmin) * mins;
        }
        return sum(acc) + accMin;
    }

    static float q5_K(MemorySegment w, long row, int blocks, short[] xq, float[] xd, int[] xs) {
        FloatVector acc = FloatVector.zero(F);
        float accMin = 0f;
        for (int b = 0; b < blocks; b++) {
            long o = row + (long) Q5_KMatrix.BLOCK_BYTES * b;
            float d = half(w, o);
            float dmin = half(w, o + 2);
            long sLo = w.get(LE_LONG, o + 4);
            int sHi = w.get(LE_INT, o + 12);
            // Bit sb of qh[l] is the fifth bit of element l of sub-block sb: shifted down one per sub-block.
            ShortVector ha = unsigned16(w, o + 16);
            ShortVector hb = unsigned16(w, o + 32);
            IntVector isum = IntVector.zero(IntVector.SPECIES_256);
            int mins = 0;
            for (int sb = 0; sb < 8; sb++) {
                int sm = scaleMin(sLo, sHi, sb);
                long q = o + 48 + 32 * (sb >> 1);
                var high = pick((sb & 1) != 0);
                ShortVector qa = unsigned16(w, q);
                ShortVector qb = unsigned16(w, q + 16);
                qa = qa.and((short) 0x0F).blend(qa.lanewise(VectorOperators.LSHR, 4), high)
                        .or(ha.and((short) 1).lanewise(VectorOperators.LSHL, 4));
                qb = qb.and((short) 0x0F).blend(qb.lanewise(VectorOperators.LSHR, 4), high)
                        .or(hb.and((short) 1).lanewise(VectorOperators.LSHL, 4));
                ha = ha.lanewise(VectorOperators.LSHR, 1);
                hb = hb.lanewise(VectorOperators.LSHR, 1);
                int x = 256 * b + 32 * sb;
                isum = isum.add(pairs(qa.mul(x16(xq, x)).add(qb.mul(x16(xq, x + 16)))).mul(sm & 0xFF));
                mins += (sm >>> 8) * xs[8 * b + sb];
            }
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, xd[b] * d), acc);
            accMin += (-xd[b] * dmin) * mins;
        }
        return sum(acc) + accMin;
    }

    static float q6_K(MemorySegment w, long row, int blocks, short[] xq, float[] xd) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long o = row + (long) Q6_KMatrix.BLOCK_BYTES * b;
            float d = half(w, o + 208);
            IntVector isum = IntVector.zero(IntVector.SPECIES_256);
            for (int hu = 0; hu < 4; hu++) {
                int h = hu >> 1;
                int u = hu & 1;
                // The 8 int8 scales of this half, in one read.
                long sc = w.get(LE_LONG, o + 192 + 8 * h);
                ShortVector ql0 = unsigned16(w, o + 64 * h + 16 * u);
                ShortVector ql1 = unsigned16(w, o + 64 * h + 32 + 16 * u);
                ShortVector qh = unsigned16(w, o + 128 + 32 * h + 16 * u);
                // k = 0..3: elements 128h + 32k + 16u + (0..15) take the low (k < 2) or high nibble of
                // ql0 (k even) or ql1 (k odd) and bits 2k, 2k+1 of qh; scale 2k + u of the half.
                for (int k = 0; k < 4; k++) {
                    ShortVector src = ql0.blend(ql1, pick((k & 1) != 0));
                    ShortVector q = src.and((short) 0x0F).blend(src.lanewise(VectorOperators.LSHR, 4), pick(k >= 2))
                            .or(qh.and((short) 3).lanewise(VectorOperators.LSHL, 4)).sub((short) 32);
                    qh = qh.lanewise(VectorOperators.LSHR, 2);
                    int x = 256 * b + 128 * h + 32 * k + 16 * u;
                    isum = isum.add(pairs(q.mul(x16(xq, x))).mul((byte) (sc >>> (8 * (2 * k + u)))));
                }
            }
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, xd[b] * d), acc);
        }
        return sum(acc);
    }
}
