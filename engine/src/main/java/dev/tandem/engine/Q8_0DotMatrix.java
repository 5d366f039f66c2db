package dev.tandem.engine;

import java.lang.foreign.MemorySegment;

/**
 * Blocks of 32 weights with one half-precision scale, multiplied with Q8_0-quantized activations (Q8_0, Q4_0):
 * decoding in integer dot products, as llama.cpp does, straight from the mapping for one sequence and from rows
 * widened to shorts once for a batch (the same arithmetic either way); prompt processing decodes tiles of rows
 * for the float GEMM against the dequantized Q8_0 activations (see {@link Activations}). What the types share is
 * here, their block layouts and kernels in the subclasses.
 */
abstract sealed class Q8_0DotMatrix extends FloatMatrix permits Q8_0Matrix, Q4_0Matrix {

    /** Shorts of widened rows per tile (128 KiB: stays in L2 while the activations stream past). */
    private static final int WIDENED_SHORTS = 64 * 1024;

    protected final int blocks;
    protected final long rowBytes;
    private final int blockBytes;

    Q8_0DotMatrix(MemorySegment data, int rows, int cols, int blockBytes) {
        super(data, rows, cols);
        this.blocks = cols / 32;
        this.blockBytes = blockBytes;
        this.rowBytes = (long) blocks * blockBytes;
    }

    @Override
    public void row(int row, float[] out) {
        decodeScalar(row, out, 0);
    }

    private void decodeScalar(int row, float[] out, int offset) {
        long base = row * rowBytes;
        for (int b = 0; b < blocks; b++) {
            long o = base + (long) b * blockBytes;
            decodeBlock(o, scale(o), out, offset + 32 * b);
        }
    }

    @Override
    protected void decodeRows(int row, int count, float[] out, int offset) {
        if (Dot.VECTOR && VectorDecode.BLOCKS) {
            decodeBlocks(row * rowBytes, count * blocks, out, offset);
        } else {
            for (int r = 0; r < count; r++) {
                decodeScalar(row + r, out, offset + r * cols);
            }
        }
    }

    @Override
    void prepare(Activations in) {
        in.quantizeQ8_0();
        if (in.prompt) {
            in.dequantizedQ8_0();
        }
    }

    @Override
    void multiply(int rowStart, int rowEnd, Activations in, float[][] out) {
        if (in.prompt) {
            // Dequantized weights × dequantized Q8_0 activations in the float GEMM.
            multiplyFloat(rowStart, rowEnd, in.dequantizedQ8_0(), in.batch, out);
            return;
        }
        int batch = in.batch;
        if (!Dot.INT8) {
            for (int r = rowStart; r < rowEnd; r++) {
                for (int b = 0; b < batch; b++) {
                    out[b][r] = scalarDot(r * rowBytes, in.q8_0(b), in.d8_0(b));
                }
            }
        } else if (batch == 1) {
            dotRows(rowStart, rowEnd, in.q8_0(0), in.d8_0(0), out[0]);
        } else {
            // A tile of rows widened to shorts once, then multiplied with the activations in pairs
            // (an odd one out paired with itself).
            int tile = Math.max(1, Math.min(rowEnd - rowStart, WIDENED_SHORTS / cols));
            short[] wq = shortScratch(tile * cols);
            float[] wd = scratch(tile * blocks);
            for (int r0 = rowStart; r0 < rowEnd; r0 += tile) {
                int n = Math.min(tile, rowEnd - r0);
                widen(r0, n, wq, wd);
                for (int b = 0; b < batch; b += 2) {
                    int b1 = Math.min(b + 1, batch - 1);
                    VectorQuant.widenedPair(wq, wd, n, blocks, in.q8_0(b), in.d8_0(b), in.q8_0(b1), in.d8_0(b1),
                            out[b], out[b1], r0);
                }
            }
        }
    }

    private float scalarDot(long row, short[] xq, float[] xd) {
        float acc = 0f;
        for (int b = 0; b < blocks; b++) {
            long o = row + (long) b * blockBytes;
            acc = Math.fma((float) blockDot(o, xq, 32 * b), scale(o) * xd[b], acc);
        }
        return acc;
    }

    /** The half-precision scale that starts the block at byte {@code o}. */
    private float scale(long o) {
        return Float.float16ToFloat(data.get(F16Matrix.LE_SHORT, o));
    }

    /** The block at byte {@code o} times its scale {@code d}, into {@code out} from {@code dst} (ggml's dequantize_row). */
    abstract void decodeBlock(long o, float d, float[] out, int dst);

    /** Σ q·x over the block at byte {@code o} and the activations {@code xq} from {@code x}, in integers. */
    abstract int blockDot(long o, short[] xq, int x);

    /** {@code count} blocks from byte {@code offset} to floats, vectorised (see {@link VectorDecode}). */
    abstract void decodeBlocks(long offset, int count, float[] out, int dst);

    /** out[r] = row r · x for rows [r0, r1), with the type's integer kernel (see {@link VectorQuant}). */
    abstract void dotRows(int r0, int r1, short[] xq, float[] xd, float[] out);

    /** Rows [r0, r0 + n) widened to shorts and scales, for the batch kernel. */
    abstract void widen(int r0, int n, short[] q, float[] d);
}
