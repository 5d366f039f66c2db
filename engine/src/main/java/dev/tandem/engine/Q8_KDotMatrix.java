package dev.tandem.engine;

import java.lang.foreign.MemorySegment;

/**
 * The K-quants (super-blocks of 256): decoding multiplies their rows with Q8_K-quantized activations in integer
 * dot products, one kernel per type, as llama.cpp does; prompt processing decodes tiles of rows for the float
 * GEMM against the dequantized Q8_K activations. What the types share is here, their block layouts in the
 * subclasses.
 */
abstract sealed class Q8_KDotMatrix extends FloatMatrix permits Q4_KMatrix, Q5_KMatrix, Q6_KMatrix {

    protected final int blocks;
    protected final long rowBytes;
    private final int blockBytes;

    Q8_KDotMatrix(MemorySegment data, int rows, int cols, int blockBytes) {
        super(data, rows, cols);
        this.blocks = cols / 256;
        this.blockBytes = blockBytes;
        this.rowBytes = (long) blocks * blockBytes;
    }

    @Override
    public void row(int row, float[] out) {
        decodeRows(row, 1, out, 0);
    }

    @Override
    void prepare(Activations in) {
        in.quantizeQ8_K();
        if (in.prompt) {
            in.dequantizedQ8_K();
        }
    }

    @Override
    void multiply(int rowStart, int rowEnd, Activations in, float[][] out) {
        if (in.prompt) {
            // Dequantized weights × dequantized Q8_K activations in the float GEMM.
            multiplyFloat(rowStart, rowEnd, in.dequantizedQ8_K(), in.batch, out);
            return;
        }
        for (int r = rowStart; r < rowEnd; r++) {
            long row = r * rowBytes;
            for (int b = 0; b < in.batch; b++) {
                out[b][r] = dot(row, in, b);
            }
        }
    }

    @Override
    protected void decodeRows(int row, int count, float[] out, int offset) {
        long base = row * rowBytes;
        for (int b = 0; b < count * blocks; b++) {
            decodeBlock(base + (long) b * blockBytes, out, offset + 256 * b);
        }
    }

    /** The row at byte {@code row} times activation vector b (its Q8_K form), with the type's kernel. */
    abstract float dot(long row, Activations in, int b);

    /** The 256 values of the super-block at byte {@code o}, into {@code y} from {@code dst} (as ggml's dequantize_row). */
    abstract void decodeBlock(long o, float[] y, int dst);
}
