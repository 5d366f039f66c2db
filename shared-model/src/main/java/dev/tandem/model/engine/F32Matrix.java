package dev.tandem.model.engine;

import dev.tandem.model.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** float32 weights: multiplied straight from the mapping, no decode step. */
public final class F32Matrix extends FloatMatrix {

    F32Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void row(int row, float[] out) {
        MemorySegment.copy(data, Dot.LE_FLOAT, (long) row * cols * Float.BYTES, out, 0, cols);
    }

    @Override
    public void multiply(int rowStart, int rowEnd, float[][] x, float[][] out, int batch, float[] scratch) {
        float[] four = new float[4];
        for (int r = rowStart; r < rowEnd; r++) {
            long offset = (long) r * cols * Float.BYTES;
            int b = 0;
            for (; b + 4 <= batch; b += 4) {
                Dot.dot4(data, offset, x[b], x[b + 1], x[b + 2], x[b + 3], cols, four);
                out[b][r] = four[0];
                out[b + 1][r] = four[1];
                out[b + 2][r] = four[2];
                out[b + 3][r] = four[3];
            }
            for (; b < batch; b++) {
                out[b][r] = Dot.dot(data, offset, x[b], 0, cols);
            }
        }
    }
}
