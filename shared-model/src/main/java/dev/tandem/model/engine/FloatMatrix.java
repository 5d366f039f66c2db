package dev.tandem.model.engine;

import dev.tandem.model.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * A weight matrix of {@code rows × cols} read in place from its (mapped) storage: row r is the
 * r-th output's weights, {@code cols} long (ggml's ne0). One subclass per storage type decodes
 * rows; matrix-vector products are computed for a whole batch per row so every weight is read
 * once per step, however many sequences are in the batch.
 */
public abstract sealed class FloatMatrix permits F32Matrix, F16Matrix, BF16Matrix {

    protected final MemorySegment data;
    protected final int rows;
    protected final int cols;

    protected FloatMatrix(MemorySegment data, int rows, int cols) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    /** A matrix view of a tensor's data. */
    public static FloatMatrix of(String name, GgmlType type, MemorySegment data, int rows, int cols) {
        return switch (type) {
            case F32 -> new F32Matrix(data, rows, cols);
            case F16 -> new F16Matrix(data, rows, cols);
            case BF16 -> new BF16Matrix(data, rows, cols);
            default -> throw new UnsupportedModelException("tensor '" + name + "' has type " + type
                    + ", which the engine does not support yet (F32, F16, BF16)");
        };
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public abstract GgmlType type();

    /** Decodes row {@code row} into {@code out[0..cols)}. */
    public abstract void row(int row, float[] out);

    /**
     * For rows [rowStart, rowEnd): {@code out[b][r] = row(r) · x[b]} for b in [0, batch).
     * Rows outer, batch inner: a row is decoded once and reused for the whole batch.
     *
     * @param scratch a float[cols] the caller owns (one per thread), for decoded rows
     */
    public void multiply(int rowStart, int rowEnd, float[][] x, float[][] out, int batch, float[] scratch) {
        float[] four = new float[4];
        for (int r = rowStart; r < rowEnd; r++) {
            row(r, scratch);
            int b = 0;
            // Four activations per pass over the decoded row, then the remainder one by one.
            for (; b + 4 <= batch; b += 4) {
                Dot.dot4(scratch, x[b], x[b + 1], x[b + 2], x[b + 3], cols, four);
                out[b][r] = four[0];
                out[b + 1][r] = four[1];
                out[b + 2][r] = four[2];
                out[b + 3][r] = four[3];
            }
            for (; b < batch; b++) {
                out[b][r] = Dot.dot(scratch, 0, x[b], 0, cols);
            }
        }
    }
}
