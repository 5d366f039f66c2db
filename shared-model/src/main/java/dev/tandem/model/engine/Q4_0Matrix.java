package dev.tandem.model.engine;

import dev.tandem.model.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_0 weights: blocks of 32 4-bit values with one half-precision scale (18 bytes); byte j holds
 * element j in its low nibble and element j+16 in its high nibble, w = (q − 8)·d. Kernels as for
 * {@link Q8_0Matrix}: integer dot products with Q8_0-quantized activations when decoding, the float
 * GEMM on dequantized rows and activations for prompts.
 */
public final class Q4_0Matrix extends FloatMatrix {

    /** Shorts of widened rows per tile (128 KiB: stays in L2 while the activations stream past). */
    private static final int WIDENED_SHORTS = 64 * 1024;

    static final int BLOCK_BYTES = 18;

    private final int blocks;
    private final long rowBytes;

    Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
        this.blocks = cols / 32;
        this.rowBytes = (long) blocks * BLOCK_BYTES;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
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
            int dst = offset + 32 * b;
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, o + 2 + j) & 0xFF;
                out[dst + j] = ((q & 0x0F) - 8) * d;
                out[dst + j + 16] = ((q >>> 4) - 8) * d;
            }
        }
    }

    @Override
    protected void decodeRows(int row, int count, float[] out, int offset) {
        if (Dot.VECTOR && VectorDecode.BLOCKS) {
            VectorDecode.q4_0(data, row * rowBytes, count * blocks, out, offset);
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
            VectorQuant.q4_0Rows(data, rowStart, rowEnd, rowBytes, blocks, in.q8_0(0), in.d8_0(0), out[0]);
        } else {
            // A tile of rows widened to shorts once, then multiplied with the activations in pairs
            // (an odd one out paired with itself).
            int tile = Math.max(1, Math.min(rowEnd - rowStart, WIDENED_SHORTS / cols));
            short[] wq = shortScratch(tile * cols);
            float[] wd = scratch(tile * blocks);
            for (int r0 = rowStart; r0 < rowEnd; r0 += tile) {
                int n = Math.min(tile, rowEnd - r0);
                VectorQuant.widenQ4_0(data, r0, n, rowBytes, blocks, wq, wd);
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
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, o + 2 + j) & 0xFF;
                sum += ((q & 0x0F) - 8) * xq[32 * b + j] + ((q >>> 4) - 8) * xq[32 * b + j + 16];
            }
            acc += sum * (Float.float16ToFloat(data.get(F16Matrix.LE_SHORT, o)) * xd[b]);
        }
        return acc;
    }
}
