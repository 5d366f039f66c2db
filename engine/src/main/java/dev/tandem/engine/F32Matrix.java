package dev.tandem.engine;

import dev.tandem.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** float32 weights: copied row by row into the tile (a memcpy), no other decoding. */
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
    protected void decodeRows(int row, int count, float[] out, int offset) {
        MemorySegment.copy(data, Dot.LE_FLOAT, (long) row * cols * Float.BYTES, out, offset, count * cols);
    }
}
