package dev.tandem.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Encoders of ggml tensor types, bit-compatible with ggml's reference code: {@code quantize_row_q8_0_ref},
 * {@code quantize_row_q4_0_ref} (ggml-quants.c), {@code GGML_FP32_TO_FP16} and {@code GGML_FP32_TO_BF16}.
 * Every float operation is the one the C code performs, in its order and without fused
 * multiply-adds, so the same floats give the same blocks.
 */
public final class GgmlQuants {

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static final int QK = 32;

    private GgmlQuants() {
    }

    /** IEEE half precision, round to nearest even (F16C / ggml_compute_fp32_to_fp16). */
    public static short toF16(float v) {
        return Float.floatToFloat16(v);
    }

    /** ggml_compute_fp32_to_bf16: round to nearest even; NaN stays a (quiet) NaN. */
    public static short toBF16(float v) {
        int u = Float.floatToRawIntBits(v);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    /** C's roundf: nearest integer, halfway cases away from zero. */
    static int roundf(float v) {
        double a = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -a : a);
    }

    /**
     * quantize_row_q8_0_ref: n floats (a multiple of 32) from x[off] into n/32 blocks of 34 bytes
     * at {@code dst}: d = max|x|/127 as half, then 32 × int8 roundf(x·(1/d)).
     */
    public static void quantizeQ8_0(float[] x, int off, int n, MemorySegment dst, long dstOffset) {
        requireBlocks(n);
        for (int i = 0; i < n / QK; i++) {
            int o = off + i * QK;
            float amax = 0f;
            for (int j = 0; j < QK; j++) {
                amax = Math.max(amax, Math.abs(x[o + j]));
            }
            float d = amax / 127f;
            float id = d != 0f ? 1.0f / d : 0f;
            long b = dstOffset + 34L * i;
            dst.set(LE_SHORT, b, toF16(d));
            for (int j = 0; j < QK; j++) {
                dst.set(ValueLayout.JAVA_BYTE, b + 2 + j, (byte) roundf(x[o + j] * id));
            }
        }
    }

    /**
     * quantize_row_q4_0_ref: n floats into n/32 blocks of 18 bytes: d = max/−8 (max: the value of
     * largest magnitude, first one on ties) as half; element j in the low nibble of byte j, element
     * j+16 in its high nibble, each min(15, (int8) (x·(1/d) + 8.5)).
     */
    public static void quantizeQ4_0(float[] x, int off, int n, MemorySegment dst, long dstOffset) {
        requireBlocks(n);
        for (int i = 0; i < n / QK; i++) {
            int o = off + i * QK;
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < QK; j++) {
                float v = x[o + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0f ? 1.0f / d : 0f;
            long b = dstOffset + 18L * i;
            dst.set(LE_SHORT, b, toF16(d));
            for (int j = 0; j < QK / 2; j++) {
                float x0 = x[o + j] * id;
                float x1 = x[o + QK / 2 + j] * id;
                int xi0 = Math.min(15, (byte) (int) (x0 + 8.5f));
                int xi1 = Math.min(15, (byte) (int) (x1 + 8.5f));
                dst.set(ValueLayout.JAVA_BYTE, b + 2 + j, (byte) (xi0 | (xi1 << 4)));
            }
        }
    }

    /** n floats as little-endian float32. */
    public static void writeF32(float[] x, int off, int n, MemorySegment dst, long dstOffset) {
        MemorySegment.copy(x, off, dst, LE_FLOAT, dstOffset, n);
    }

    public static void writeF16(float[] x, int off, int n, MemorySegment dst, long dstOffset) {
        for (int j = 0; j < n; j++) {
            dst.set(LE_SHORT, dstOffset + 2L * j, toF16(x[off + j]));
        }
    }

    public static void writeBF16(float[] x, int off, int n, MemorySegment dst, long dstOffset) {
        for (int j = 0; j < n; j++) {
            dst.set(LE_SHORT, dstOffset + 2L * j, toBF16(x[off + j]));
        }
    }

    /** Encodes n floats as {@code type} (F32, F16, BF16, Q8_0 or Q4_0). */
    public static void encode(GgmlType type, float[] x, int off, int n, MemorySegment dst, long dstOffset) {
        switch (type) {
            case F32 -> writeF32(x, off, n, dst, dstOffset);
            case F16 -> writeF16(x, off, n, dst, dstOffset);
            case BF16 -> writeBF16(x, off, n, dst, dstOffset);
            case Q8_0 -> quantizeQ8_0(x, off, n, dst, dstOffset);
            case Q4_0 -> quantizeQ4_0(x, off, n, dst, dstOffset);
            default -> throw new IllegalArgumentException("cannot encode " + type + " (F32, F16, BF16, Q8_0, Q4_0)");
        }
    }

    /** Decodes n values of a Q8_0 or Q4_0 tensor (dequantize_row_q8_0 / _q4_0). */
    public static void decode(GgmlType type, MemorySegment src, long srcOffset, float[] out, int off, int n) {
        requireBlocks(n);
        for (int i = 0; i < n / QK; i++) {
            int o = off + i * QK;
            switch (type) {
                case Q8_0 -> {
                    long b = srcOffset + 34L * i;
                    float d = Float.float16ToFloat(src.get(LE_SHORT, b));
                    for (int j = 0; j < QK; j++) {
                        out[o + j] = src.get(ValueLayout.JAVA_BYTE, b + 2 + j) * d;
                    }
                }
                case Q4_0 -> {
                    long b = srcOffset + 18L * i;
                    float d = Float.float16ToFloat(src.get(LE_SHORT, b));
                    for (int j = 0; j < QK / 2; j++) {
                        int q = src.get(ValueLayout.JAVA_BYTE, b + 2 + j) & 0xFF;
                        out[o + j] = ((q & 0x0F) - 8) * d;
                        out[o + QK / 2 + j] = ((q >>> 4) - 8) * d;
                    }
                }
                default -> throw new IllegalArgumentException("cannot decode " + type + " here (Q8_0, Q4_0)");
            }
        }
    }

    private static void requireBlocks(int n) {
        if (n % QK != 0) {
            throw new IllegalArgumentException(n + " values is not a multiple of the block size " + QK);
        }
    }
}
