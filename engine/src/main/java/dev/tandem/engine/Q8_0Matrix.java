package dev.tandem.engine;

import dev.tandem.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Q8_0 weights: blocks of 32 int8 values with one half-precision scale (34 bytes), w = q·d. */
public final class Q8_0Matrix extends Q8_0DotMatrix {

    static final int BLOCK_BYTES = 34;

    Q8_0Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols, BLOCK_BYTES);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    void decodeBlock(long o, float d, float[] out, int dst) {
        for (int j = 0; j < 32; j++) {
            out[dst + j] = data.get(ValueLayout.JAVA_BYTE, o + 2 + j) * d;
        }
    }

    @Override
    int blockDot(long o, short[] xq, int x) {
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            sum += data.get(ValueLayout.JAVA_BYTE, o + 2 + j) * xq[x + j];
        }
        return sum;
    }

    @Override
    void decodeBlocks(long offset, int count, float[] out, int dst) {
        VectorDecode.q8_0(data, offset, count, out, dst);
    }

    @Override
    void dotRows(int r0, int r1, short[] xq, float[] xd, float[] out) {
        VectorQuant.q8_0Rows(data, r0, r1, rowBytes, blocks, xq, xd, out);
    }

    @Override
    void widen(int r0, int n, short[] q, float[] d) {
        VectorQuant.widenQ8_0(data, r0, n, rowBytes, blocks, q, d);
    }
}
