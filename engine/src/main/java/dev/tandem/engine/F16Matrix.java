package dev.tandem.engine;

import dev.tandem.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * IEEE half-precision weights, widened to float by vectorised bit manipulation
 * ({@link Float#float16ToFloat} per element without the Vector API): in registers for a single
 * activation (decoding at batch 1 is bound by reading the weights), a tile at a time into the
 * float GEMM for batches. Both give the same result.
 */
public final class F16Matrix extends FloatMatrix {

    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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

    @Override
    protected void decodeRows(int row, int count, float[] out, int offset) {
        long base = (long) row * cols * 2;
        int n = count * cols;
        if (Dot.VECTOR) {
            VectorDecode.f16(data, base, out, offset, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[offset + i] = Float.float16ToFloat(data.get(LE_SHORT, base + 2L * i));
            }
        }
    }

    @Override
    void multiply(int rowStart, int rowEnd, Activations in, float[][] out) {
        if (in.batch != 1 || !Dot.VECTOR) {
            super.multiply(rowStart, rowEnd, in, out);
            return;
        }
        float[] x = in.x[0];
        float[] two = new float[2];
        long rowBytes = (long) cols * 2;
        int r = rowStart;
        for (; r + 2 <= rowEnd; r += 2) {
            VectorDecode.f16Dot2(data, r * rowBytes, (r + 1) * rowBytes, x, cols, two);
            out[0][r] = two[0];
            out[0][r + 1] = two[1];
        }
        if (r < rowEnd) {
            out[0][r] = VectorDecode.f16Dot(data, r * rowBytes, x, cols);
        }
    }
}
