package dev.tandem.model.engine;

import dev.tandem.model.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** bfloat16 weights: the top 16 bits of a float32, widened by a shift. */
public final class BF16Matrix extends FloatMatrix {

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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
            out[i] = Float.intBitsToFloat(data.get(LE_SHORT, base + 2L * i) << 16);
        }
    }
}
