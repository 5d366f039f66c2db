package dev.tandem.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Matrix products on the native kernels ({@link NativeKernels}) for one forward pass: the activations are copied
 * once into an off-heap buffer and quantized there as the Java kernels quantize them (Q8_0 for Q8_0/Q4_0 weights,
 * Q8_K for the K-quants), then the engine's worker threads claim row ranges of all the product's matrices and
 * multiply each range with one native call that reads every weight once for the whole batch. Ranges are whole
 * tiles of {@link #TILE_ROWS} rows, the unit of the repacked Q8_0/Q4_0 layout. The buffers grow when needed and are
 * reused: no allocation per product in steady state but the per-matrix slices.
 *
 * <p>Not thread-safe: one product at a time (the forward pass's caller serialises its calls).
 */
final class NativeMatmul implements AutoCloseable {

    private static final long ALIGN = 64;
    /** Rows per tile of the repacked layout (TANDEM_TILE_ROWS). */
    static final int TILE_ROWS = 16;

    private final NativeKernels lib;
    private final Parallel parallel;
    // Automatic (not shared): the buffers are read by the worker threads, and native images support automatic arenas.
    private final Arena arena = Arena.ofAuto();
    private MemorySegment x = MemorySegment.NULL;
    private MemorySegment q80 = MemorySegment.NULL;
    private MemorySegment q8k = MemorySegment.NULL;
    private MemorySegment out = MemorySegment.NULL;

    NativeMatmul(NativeKernels lib, Parallel parallel) {
        this.lib = lib;
        this.parallel = parallel;
    }

    /** Makes every matrix's native form now ({@link FloatMatrix#nativeForm}), so that no request waits for it. */
    void prepare(Iterable<FloatMatrix> ws) {
        for (FloatMatrix m : ws) {
            if (accepts(m)) {
                m.nativeForm(lib);
            }
        }
    }

    /** Whether every matrix is one the native kernels multiply in place (native memory, a supported type). */
    static boolean accepts(FloatMatrix[] ws) {
        for (FloatMatrix m : ws) {
            if (!accepts(m)) {
                return false;
            }
        }
        return true;
    }

    private static boolean accepts(FloatMatrix m) {
        return m.data.isNative() && FloatMatrix.supports(m.type());
    }

    private static int kind(FloatMatrix m) {
        return switch (m.type()) {
            case Q8_0, Q4_0 -> NativeKernels.ACT_Q8_0;
            case Q4_K, Q5_K, Q6_K -> NativeKernels.ACT_Q8_K;
            default -> NativeKernels.ACT_FLOAT;
        };
    }

    private MemorySegment grow(MemorySegment seg, long bytes) {
        if (seg.byteSize() >= bytes) {
            return seg;
        }
        return arena.allocate(Math.max(bytes, seg.byteSize() * 3 / 2), ALIGN);
    }

    private static long align(long n) {
        return (n + ALIGN - 1) & -ALIGN;
    }

    /** outs[m][b] = ws[m] · in[b] for b in [0, batch); all matrices take the same input length. */
    void multiply(int batch, float[][] in, FloatMatrix[] ws, float[][][] outs) {
        int cols = ws[0].cols();
        long xStride = align((long) cols * Float.BYTES);
        x = grow(x, xStride * batch);
        for (int b = 0; b < batch; b++) {
            MemorySegment.copy(in[b], 0, x, ValueLayout.JAVA_FLOAT, b * xStride, cols);
        }
        boolean need80 = false;
        boolean need8k = false;
        long outFloats = 0;
        long work = 0;
        int totalTiles = 0;
        for (FloatMatrix m : ws) {
            int k = kind(m);
            need80 |= k == NativeKernels.ACT_Q8_0;
            need8k |= k == NativeKernels.ACT_Q8_K;
            outFloats += (long) m.rows() * batch;
            work += (long) m.rows() * m.cols() * batch;
            totalTiles += Math.ceilDiv(m.rows(), TILE_ROWS);
        }
        long s80 = 0;
        long s8k = 0;
        if (need80) {
            s80 = align(lib.actBytes(NativeKernels.ACT_Q8_0, cols));
            q80 = grow(q80, s80 * batch);
            lib.quantize(NativeKernels.ACT_Q8_0, x, xStride / Float.BYTES, cols, batch, q80, s80);
        }
        if (need8k) {
            s8k = align(lib.actBytes(NativeKernels.ACT_Q8_K, cols));
            q8k = grow(q8k, s8k * batch);
            lib.quantize(NativeKernels.ACT_Q8_K, x, xStride / Float.BYTES, cols, batch, q8k, s8k);
        }
        out = grow(out, outFloats * Float.BYTES);
        int n = ws.length;
        int[] starts = new int[n + 1];
        FloatMatrix.NativeForm[] forms = new FloatMatrix.NativeForm[n];
        MemorySegment[] acts = new MemorySegment[n];
        long[] strides = new long[n];
        MemorySegment[] outSegs = new MemorySegment[n];
        long off = 0;
        for (int m = 0; m < n; m++) {
            starts[m + 1] = starts[m] + Math.ceilDiv(ws[m].rows(), TILE_ROWS);
            forms[m] = ws[m].nativeForm(lib);
            int k = kind(ws[m]);
            acts[m] = k == NativeKernels.ACT_Q8_0 ? q80 : k == NativeKernels.ACT_Q8_K ? q8k : x;
            strides[m] = k == NativeKernels.ACT_Q8_0 ? s80 : k == NativeKernels.ACT_Q8_K ? s8k : xStride;
            long bytes = (long) ws[m].rows() * batch * Float.BYTES;
            outSegs[m] = out.asSlice(off, bytes);
            off += bytes;
        }
        parallel.forRange(totalTiles, work, (s, e) -> {
            for (int m = 0; m < n; m++) {
                int from = Math.max(s, starts[m]);
                int to = Math.min(e, starts[m + 1]);
                if (from < to) {
                    FloatMatrix w = ws[m];
                    int rows = w.rows();
                    lib.matmul(forms[m].type(), forms[m].data(), w.cols(), (long) (from - starts[m]) * TILE_ROWS,
                            Math.min(rows, (long) (to - starts[m]) * TILE_ROWS), acts[m], strides[m], batch, outSegs[m], rows);
                }
            }
        });
        for (int m = 0; m < n; m++) {
            int rows = ws[m].rows();
            for (int b = 0; b < batch; b++) {
                MemorySegment.copy(outSegs[m], ValueLayout.JAVA_FLOAT, (long) b * rows * Float.BYTES, outs[m][b], 0, rows);
            }
        }
    }

    /** Drops the buffers (the garbage collector frees them). */
    @Override
    public void close() {
        x = q80 = q8k = out = MemorySegment.NULL;
    }
}
