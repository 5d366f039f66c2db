package dev.tandem.engine;

import dev.tandem.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_0 weights: blocks of 32 4-bit values with one half-precision scale (18 bytes); byte j holds
 * element j in its low nibble and element j+16 in its high nibble, w = (q − 8)·d.
 */
public final class Q4_0Matrix extends Q8_0DotMatrix {

    static final int BLOCK_BYTES = 18;

    Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols, BLOCK_BYTES);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    void decodeBlock(long o, float d, float[] out, int dst) {
        for (int j = 0; j < 16; j++) {
            int q = data.get(ValueLayout.JAVA_BYTE, o + 2 + j) & 0xFF;
            out[dst + j] = ((q & 0x0F) - 8) * d;
            out[dst + j + 16] = ((q >>> 4) - 8) * d;
        }
    }

    @Override
    int blockDot(long o, short[] xq, int x) {
        int sum = 0;
        for (int j = 0; j < 16; j++) {
            int q = data.get(ValueLayout.JAVA_BYTE, o + 2 + j) & 0xFF;
            sum += ((q & 0x0F) - 8) * xq[x + j] + ((q >>> 4) - 8) * xq[x + j + 16];
        }
        return sum;
    }

    @Override
    void decodeBlocks(long offset, int count, float[] out, int dst) {
        VectorDecode.q4_0(data, offset, count, out, dst);
    }

    @Override
    void dotRows(int r0, int r1, short[] xq, float[] xd, float[] out) {
        VectorQuant.q4_0Rows(data, r0, r1, rowBytes, blocks, xq, xd, out);
    }

    @Override
    void widen(int r0, int n, short[] q, float[] d) {
        VectorQuant.widenQ4_0(data, r0, n, rowBytes, blocks, q, d);
    }
}
