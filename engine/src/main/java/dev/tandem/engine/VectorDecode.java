package dev.tandem.engine;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API decoding of weight rows into floats, bit-identical to the scalar decoders (for finite
 * values: a half-precision Inf/NaN weight decodes to a large finite number here). Only loaded when
 * {@link Dot#VECTOR} is true.
 */
final class VectorDecode {

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Half-width shorts, widened to one int vector. */
    private static final VectorSpecies<Short> S = F.vectorBitSize() >= 128
            ? VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2)) : null;
    /** Quarter-width bytes, widened to one float vector (needs at least 8 float lanes). */
    private static final VectorSpecies<Byte> B = F.length() >= 8
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8)) : null;

    /** Whether the quantized decoders below may be used (8 or more float lanes). */
    static final boolean BLOCKS = B != null && 32 % F.length() == 0;

    private VectorDecode() {
    }

    /**
     * n half-precision values at {@code byteOffset} to floats. Sign-extended half, shifted into a
     * float's exponent/mantissa position, with the three surplus sign copies cleared, times 2^112:
     * exact for normal and subnormal halves.
     */
    static void f16(MemorySegment src, long byteOffset, float[] out, int offset, int n) {
        int i = 0;
        if (S != null) {
            int upper = F.loopBound(n);
            for (; i < upper; i += F.length()) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(S, src, byteOffset + 2L * i, LE)
                        .convertShape(VectorOperators.S2I, I, 0);
                h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f)
                        .intoArray(out, offset + i);
            }
        }
        for (; i < n; i++) {
            out[offset + i] = Float.float16ToFloat(src.get(F16Matrix.LE_SHORT, byteOffset + 2L * i));
        }
    }

    static void bf16(MemorySegment src, long byteOffset, float[] out, int offset, int n) {
        int i = 0;
        if (S != null) {
            int upper = F.loopBound(n);
            for (; i < upper; i += F.length()) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(S, src, byteOffset + 2L * i, LE)
                        .convertShape(VectorOperators.S2I, I, 0);
                h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, offset + i);
            }
        }
        for (; i < n; i++) {
            out[offset + i] = Float.intBitsToFloat(src.get(F16Matrix.LE_SHORT, byteOffset + 2L * i) << 16);
        }
    }

    /** {@code blocks} Q8_0 blocks (34 bytes: half scale, 32 int8) to floats: q × d. */
    static void q8_0(MemorySegment src, long byteOffset, int blocks, float[] out, int offset) {
        int lanes = F.length();
        for (int blk = 0; blk < blocks; blk++) {
            long o = byteOffset + 34L * blk;
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(src.get(F16Matrix.LE_SHORT, o)));
            int dst = offset + 32 * blk;
            for (int c = 0; c < 32; c += lanes) {
                ((FloatVector) ByteVector.fromMemorySegment(B, src, o + 2 + c, LE).castShape(F, 0)).mul(d)
                        .intoArray(out, dst + c);
            }
        }
    }

    /** {@code blocks} Q4_0 blocks (18 bytes: half scale, 16 bytes of nibbles) to floats: (q − 8) × d. */
    static void q4_0(MemorySegment src, long byteOffset, int blocks, float[] out, int offset) {
        int lanes = F.length();
        for (int blk = 0; blk < blocks; blk++) {
            long o = byteOffset + 18L * blk;
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(src.get(F16Matrix.LE_SHORT, o)));
            int dst = offset + 32 * blk;
            for (int c = 0; c < 16; c += lanes) {
                ByteVector q = ByteVector.fromMemorySegment(B, src, o + 2 + c, LE);
                ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).sub((byte) 8);
                ((FloatVector) lo.castShape(F, 0)).mul(d).intoArray(out, dst + c);
                ((FloatVector) hi.castShape(F, 0)).mul(d).intoArray(out, dst + 16 + c);
            }
        }
    }

    /** 8 (or 16) halves at {@code byteOffset} widened to floats (see {@link #f16}). */
    private static FloatVector halves(MemorySegment src, long byteOffset) {
        return ((IntVector) ShortVector.fromMemorySegment(S, src, byteOffset, LE).convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f);
    }

    /**
     * Two F16 rows (at byte offsets {@code row0}, {@code row1}) times x, decoded in registers: the
     * same FMA chain per row as {@link VectorDot#dot(float[], int, float[], int, int)} over the
     * decoded row, so the result equals the decode-then-multiply path bit for bit.
     */
    static void f16Dot2(MemorySegment src, long row0, long row1, float[] x, int n, float[] out) {
        FloatVector a = FloatVector.zero(F);
        FloatVector b = a;
        int i = 0;
        if (S != null) {
            int upper = F.loopBound(n);
            for (; i < upper; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                a = halves(src, row0 + 2L * i).fma(v, a);
                b = halves(src, row1 + 2L * i).fma(v, b);
            }
        }
        float s = VectorDot.sum(a);
        float t = VectorDot.sum(b);
        for (; i < n; i++) {
            s += Float.float16ToFloat(src.get(F16Matrix.LE_SHORT, row0 + 2L * i)) * x[i];
            t += Float.float16ToFloat(src.get(F16Matrix.LE_SHORT, row1 + 2L * i)) * x[i];
        }
        out[0] = s;
        out[1] = t;
    }

    /** One F16 row times x (see {@link #f16Dot2}). */
    static float f16Dot(MemorySegment src, long row, float[] x, int n) {
        FloatVector a = FloatVector.zero(F);
        int i = 0;
        if (S != null) {
            int upper = F.loopBound(n);
            for (; i < upper; i += F.length()) {
                a = halves(src, row + 2L * i).fma(FloatVector.fromArray(F, x, i), a);
            }
        }
        float s = VectorDot.sum(a);
        for (; i < n; i++) {
            s += Float.float16ToFloat(src.get(F16Matrix.LE_SHORT, row + 2L * i)) * x[i];
        }
        return s;
    }
}
