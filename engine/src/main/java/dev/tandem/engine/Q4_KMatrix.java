package dev.tandem.engine;

import dev.tandem.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_K weights: super-blocks of 256 (144 bytes): half d, half dmin, 12 bytes of packed 6-bit
 * scales and mins for eight sub-blocks of 32, then 128 bytes of nibbles. Within each 64 elements
 * the low nibbles of 32 bytes are the first sub-block and their high nibbles the second;
 * w = d·sc·q − dmin·m. Multiplied through the float path.
 */
public final class Q4_KMatrix extends Q8_KDotMatrix {

    static final int BLOCK_BYTES = 144;

    Q4_KMatrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols, BLOCK_BYTES);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    float dot(long row, Activations in, int b) {
        return Dot.INT8
                ? VectorQuant.q4_K(data, row, blocks, in.q8_K(b), in.d8_K(b), in.sum8_K(b))
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
                int lo = scaleMin(data, o + 4, 2 * j);
                int hi = scaleMin(data, o + 4, 2 * j + 1);
                int x = 256 * b + 64 * j;
                int sl = 0;
                int sh = 0;
                for (int l = 0; l < 32; l++) {
                    int q = u8(data, o + 16 + 32 * j + l);
                    sl += (q & 0xF) * xq[x + l];
                    sh += (q >>> 4) * xq[x + 32 + l];
                }
                isum += sl * (lo & 0xFF) + sh * (hi & 0xFF);
                mins += (lo >>> 8) * xs[8 * b + 2 * j] + (hi >>> 8) * xs[8 * b + 2 * j + 1];
            }
            acc += (xd[b] * d) * isum;
            accMin += (-xd[b] * dmin) * mins;
        }
        return acc + accMin;
    }

    static int u8(MemorySegment m, long offset) {
        return m.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /** ggml's get_scale_min_k4: scale (low 8 bits of the result) and min (next 8) of sub-block j. */
    static int scaleMin(MemorySegment m, long scales, int j) {
        int sc;
        int mn;
        if (j < 4) {
            sc = u8(m, scales + j) & 63;
            mn = u8(m, scales + j + 4) & 63;
        } else {
            sc = (u8(m, scales + j + 4) & 0xF) | ((u8(m, scales + j - 4) >>> 6) << 4);
            mn = (u8(m, scales + j + 4) >>> 4) | ((u8(m, scales + j) >>> 6) << 4);
        }
        return sc | mn << 8;
    }

    @Override
    void decodeBlock(long o, float[] y, int dst) {
        MemorySegment m = data;
        float d = Float.float16ToFloat(m.get(F16Matrix.LE_SHORT, o));
        float min = Float.float16ToFloat(m.get(F16Matrix.LE_SHORT, o + 2));
        long scales = o + 4;
        long qs = o + 16;
        for (int j = 0; j < 4; j++) {
            int a = scaleMin(m, scales, 2 * j);
            int b = scaleMin(m, scales, 2 * j + 1);
            float d1 = d * (a & 0xFF);
            float m1 = min * (a >>> 8);
            float d2 = d * (b & 0xFF);
            float m2 = min * (b >>> 8);
            int y0 = dst + 64 * j;
            for (int l = 0; l < 32; l++) {
                int q = u8(m, qs + 32 * j + l);
                y[y0 + l] = d1 * (q & 0xF) - m1;
                y[y0 + 32 + l] = d2 * (q >>> 4) - m2;
            }
        }
    }
}
