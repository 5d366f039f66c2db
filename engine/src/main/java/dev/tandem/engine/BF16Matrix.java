package dev.tandem.engine;

import dev.tandem.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** bfloat16 weights: the top 16 bits of a float32, widened by a shift. */
public final class BF16Matrix extends FloatMatrix {

    BF16Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public void row(int row, float[] out) {
        long base = (long) row * cols * 2;
        for (int i = 0; i < cols; i++) {
            out[i] = Float.intBitsToFloat(data.get(F16Matrix.LE_SHORT, base + 2L * i) << 16);
        }
    }

    @Override
    protected void decodeRows(int row, int count, float[] out, int offset) {
        long base = (long) row * cols * 2;
        int n = count * cols;
        if (Dot.VECTOR) {
            VectorDecode.bf16(data, base, out, offset, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[offset + i] = Float.intBitsToFloat(data.get(F16Matrix.LE_SHORT, base + 2L * i) << 16);
            }
        }
    }
}
