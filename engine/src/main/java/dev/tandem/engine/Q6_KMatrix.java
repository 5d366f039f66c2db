package dev.tandem.engine;

import dev.tandem.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q6_K weights: super-blocks of 256 (210 bytes): 128 bytes of low nibbles, 64 bytes of 2-bit high
 * parts, 16 int8 scales (one per 16 elements), half d; w = d·sc·(q − 32). Each half of 128
 * elements takes 64 low-nibble bytes and 32 high-bit bytes: element l, l+32, l+64, l+96 use the
 * low/high nibble of ql[l] / ql[l+32] and bit pairs 0, 2, 4, 6 of qh[l].
 * Decoding multiplies them with Q8_K-quantized activations in integer dot products, as llama.cpp
 * does; prompt processing dequantizes tiles of rows for the float GEMM against the dequantized
 * Q8_K activations.
 */
public final class Q6_KMatrix extends Q8_KDotMatrix {

    static final int BLOCK_BYTES = 210;

    Q6_KMatrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols, BLOCK_BYTES);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    float dot(long row, Activations in, int b) {
        return Dot.INT8
                ? VectorQuant.q6_K(data, row, blocks, in.q8_K(b), in.d8_K(b))
                : scalarDot(row, in.q8_K(b), in.d8_K(b));
    }

    private float scalarDot(long row, short[] xq, float[] xd) {
        float acc = 0f;
        for (int b = 0; b < blocks; b++) {
            long o = row + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(F16Matrix.LE_SHORT, o + 208));
            int isum = 0;
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l++) {
                    int lo0 = Q4_KMatrix.u8(data, o + 64 * h + l);
                    int lo1 = Q4_KMatrix.u8(data, o + 64 * h + 32 + l);
                    int hi = Q4_KMatrix.u8(data, o + 128 + 32 * h + l);
                    long sc = o + 192 + 8 * h + l / 16;
                    int x = 256 * b + 128 * h + l;
                    isum += (((lo0 & 0xF) | ((hi & 3) << 4)) - 32) * xq[x] * data.get(ValueLayout.JAVA_BYTE, sc)
                            + (((lo1 & 0xF) | (((hi >>> 2) & 3) << 4)) - 32) * xq[x + 32] * data.get(ValueLayout.JAVA_BYTE, sc + 2)
                            + (((lo0 >>> 4) | (((hi >>> 4) & 3) << 4)) - 32) * xq[x + 64] * data.get(ValueLayout.JAVA_BYTE, sc + 4)
                            + (((lo1 >>> 4) | (((hi >>> 6) & 3) << 4)) - 32) * xq[x + 96] * data.get(ValueLayout.JAVA_BYTE, sc + 6);
                }
            }
            acc += (xd[b] * d) * isum;
        }
        return acc;
    }

    @Override
    void decodeBlock(long o, float[] y, int dst) {
        MemorySegment m = data;
        float d = Float.float16ToFloat(m.get(F16Matrix.LE_SHORT, o + 208));
        for (int h = 0; h < 2; h++) {
            long ql = o + 64 * h;
            long qh = o + 128 + 32 * h;
            long sc = o + 192 + 8 * h;
            int y0 = dst + 128 * h;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int lo0 = Q4_KMatrix.u8(m, ql + l);
                int lo1 = Q4_KMatrix.u8(m, ql + l + 32);
                int hi = Q4_KMatrix.u8(m, qh + l);
                int q1 = ((lo0 & 0xF) | ((hi & 3) << 4)) - 32;
                int q2 = ((lo1 & 0xF) | (((hi >>> 2) & 3) << 4)) - 32;
                int q3 = ((lo0 >>> 4) | (((hi >>> 4) & 3) << 4)) - 32;
                int q4 = ((lo1 >>> 4) | (((hi >>> 6) & 3) << 4)) - 32;
                y[y0 + l] = d * m.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                y[y0 + 32 + l] = d * m.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                y[y0 + 64 + l] = d * m.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                y[y0 + 96 + l] = d * m.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
            }
        }
    }
}
