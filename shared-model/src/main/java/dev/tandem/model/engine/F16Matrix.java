package dev.tandem.model.engine;

import dev.tandem.model.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** IEEE half-precision weights, widened to float row by row ({@link Float#float16ToFloat} is an intrinsic). */
public final class F16Matrix extends FloatMatrix {

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    F16Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void row(int row, float[] out) {
        long base = (long) row * cols * 2;
        for (int i = 0; i < cols; i++) {
            out[i] = Float.float16ToFloat(data.get(LE_SHORT, base + 2L * i));
        }
    }
}
