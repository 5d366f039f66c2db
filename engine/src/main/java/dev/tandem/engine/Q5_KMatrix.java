package dev.tandem.engine;

import dev.tandem.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q5_K weights: super-blocks of 256 (176 bytes): half d, half dmin, 12 bytes of 6-bit scales and
 * mins (as Q4_K), 32 bytes of high bits, 128 bytes of nibbles. The fifth bit of element l of the
 * 64-element chunk j is bit 2j of qh[l] (first sub-block) or bit 2j+1 (second).
 * Decoding multiplies them with Q8_K-quantized activations in integer dot products, as llama.cpp
 * does; prompt processing dequantizes tiles of rows for the float GEMM against the dequantized
 * Q8_K activations.
 */
public final class Q5_KMatrix extends Q8_KDotMatrix {

    static final int BLOCK_BYTES = 176;

    Q5_KMatrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols, BLOCK_BYTES);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    float dot(long row, Activations in, int b) {
        return Dot.INT8
                ? VectorQuant.q5_K(data, row, blocks, in.q8_K(b), in.d8_K(b), in.sum8_K(b))
                : scalarDot(row, in.q8_K(b), in.d8_K(b), in.sum8_K(b));
    }

    private float scalarDot(long row, short[] xq, float[] xd, int[] xs) {
        float acc = 0f;
        float accMin = 0f;
        for (int b = 0; b < blocks; b++) {
            long o = row + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(F16Matrix.LE_SHORT, o));
            float dmin = Float.float16ToFloat(data.get(F16Matrix.LE_SHORT, o + 2));
            int isum = 0;
            int mins = 0;
            for (int j = 0; j < 4; j++) {
                int lo = Q4_KMatrix.scaleMin(data, o + 4, 2 * j);
                int hi = Q4_KMatrix.scaleMin(data, o + 4, 2 * j + 1);
                int x = 256 * b + 64 * j;
                int sl = 0;
                int sh = 0;
                for (int l = 0; l < 32; l++) {
                    int q = Q4_KMatrix.u8(data, o + 48 + 32 * j + l);
                    int h = Q4_KMatrix.u8(data, o + 16 + l);
                    sl += ((q & 0xF) | ((h >>> (2 * j)) & 1) << 4) * xq[x + l];
                    sh += ((q >>> 4) | ((h >>> (2 * j + 1)) & 1) << 4) * xq[x + 32 + l];
                }
                isum += sl * (lo & 0xFF) + sh * (hi & 0xFF);
                mins += (lo >>> 8) * xs[8 * b + 2 * j] + (hi >>> 8) * xs[8 * b + 2 * j + 1];
            }
            acc += (xd[b] * d) * isum;
            accMin += (-xd[b] * dmin) * mins;
        }
        return acc + accMin;
    }

    @Override
    void decodeBlock(long o, float[] y, int dst) {
        MemorySegment m = data;
        float d = Float.float16ToFloat(m.get(F16Matrix.LE_SHORT, o));
        float min = Float.float16ToFloat(m.get(F16Matrix.LE_SHORT, o + 2));
        long scales = o + 4;
        long qh = o + 16;
        long qs = o + 48;
        for (int j = 0; j < 4; j++) {
            int a = Q4_KMatrix.scaleMin(m, scales, 2 * j);
            int b = Q4_KMatrix.scaleMin(m, scales, 2 * j + 1);
            float d1 = d * (a & 0xFF);
            float m1 = min * (a >>> 8);
            float d2 = d * (b & 0xFF);
            float m2 = min * (b >>> 8);
            int u1 = 1 << (2 * j);
            int u2 = 2 << (2 * j);
            int y0 = dst + 64 * j;
            for (int l = 0; l < 32; l++) {
                int q = Q4_KMatrix.u8(m, qs + 32 * j + l);
                int h = Q4_KMatrix.u8(m, qh + l);
                y[y0 + l] = d1 * ((q & 0xF) + ((h & u1) != 0 ? 16 : 0)) - m1;
                y[y0 + 32 + l] = d2 * ((q >>> 4) + ((h & u2) != 0 ? 16 : 0)) - m2;
            }
        }
    }
}
