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
        for (int r = rowStart; r < rowEnd; r++) {
            long offset = (long) r * cols * Float.BYTES;
            for (int b = 0; b < batch; b++) {
                out[b][r] = Dot.dot(data, offset, x[b], 0, cols);
            }
        }
    }
}
