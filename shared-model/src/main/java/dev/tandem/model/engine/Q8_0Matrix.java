package dev.tandem.model.engine;

import dev.tandem.model.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q8_0 weights: blocks of 32 int8 values with one half-precision scale (34 bytes), w = q·d.
 * Decoding multiplies them with Q8_0-quantized activations in integer dot products, as llama.cpp
 * does: straight from the mapping for one sequence, from rows widened to shorts once for a batch
 * (the same arithmetic either way). Prompt processing dequantizes tiles of rows for the float
 * GEMM, against the dequantized Q8_0 activations (see {@link Activations}).
 */
public final class Q8_0Matrix extends FloatMatrix {

    /** Shorts of widened rows per tile (128 KiB: stays in L2 while the activations stream past). */
    private static final int WIDENED_SHORTS = 64 * 1024;

    static final int BLOCK_BYTES = 34;

    private final int blocks;
    private final long rowBytes;

    Q8_0Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
        this.blocks = cols / 32;
        this.rowBytes = (long) blocks * BLOCK_BYTES;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void row(int row, float[] out) {
        decodeScalar(row, out, 0);
    }

    private void decodeScalar(int row, float[] out, int offset) {
        long base = row * rowBytes;
        for (int b = 0; b < blocks; b++) {
            long o = base + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(F16Matrix.LE_SHORT, o));
            for (int j = 0; j < 32; j++) {
                out[offset + 32 * b + j] = data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o + 2 + j) * d;
            }
        }
    }

    @Override
    protected void decodeRows(int row, int count, float[] out, int offset) {
        if (Dot.VECTOR && VectorDecode.BLOCKS) {
            VectorDecode.q8_0(data, row * rowBytes, count * blocks, out, offset);
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
            VectorQuant.q8_0Rows(data, rowStart, rowEnd, rowBytes, blocks, in.q8_0(0), in.d8_0(0), out[0]);
        } else {
            // A tile of rows widened to shorts once, then multiplied with the activations in pairs
            // (an odd one out paired with itself).
            int tile = Math.max(1, Math.min(rowEnd - rowStart, WIDENED_SHORTS / cols));
            short[] wq = shortScratch(tile * cols);
            float[] wd = scratch(tile * blocks);
            for (int r0 = rowStart; r0 < rowEnd; r0 += tile) {
                int n = Math.min(tile, rowEnd - r0);
                VectorQuant.widenQ8_0(data, r0, n, rowBytes, blocks, wq, wd);
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
            long o = row + (long) b * BLOCK_BYTES;
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                sum += data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o + 2 + j) * xq[32 * b + j];
            }
            acc += sum * (Float.float16ToFloat(data.get(F16Matrix.LE_SHORT, o)) * xd[b]);
        }
        return acc;
    }
}
