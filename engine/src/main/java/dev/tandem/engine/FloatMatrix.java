package dev.tandem.engine;

import dev.tandem.model.UnsupportedModelException;

import dev.tandem.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * A weight matrix of {@code rows × cols} read in place from its (mapped) storage: row r is the
 * r-th output's weights, {@code cols} long (ggml's ne0). One subclass per storage type decodes
 * rows; matrix products are computed for a whole batch per row so every weight is read once per
 * step, however many sequences are in the batch.
 *
 * <p>Float types (F32, F16, BF16): rows are decoded into a per-thread scratch a tile at a time,
 * then multiplied with the activations four rows by two vectors at a time. Output (r, b) is always
 * the same chain of fused multiply-adds as {@link Dot#dot(float[], int, float[], int, int)}, so
 * results never depend on how rows and vectors were grouped. Quantized types override
 * {@link #multiply} with llama.cpp's arithmetic: integer dot products against activations they
 * quantized to 8 bits themselves ({@link Activations}), again the same per output whatever the batch.
 */
public abstract sealed class FloatMatrix permits F32Matrix, F16Matrix, BF16Matrix, Q8_0DotMatrix, Q8_KDotMatrix {

    /** Bytes of decoded rows per tile: keeps the tile in L2 while the batch streams past it. */
    private static final int TILE_BYTES = 128 * 1024;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<short[][]> SHORTS = ThreadLocal.withInitial(() -> new short[1][0]);

    protected final MemorySegment data;
    protected final int rows;
    protected final int cols;
    /** What the native kernels multiply, made on first use ({@link #nativeForm}). */
    private volatile NativeForm nativeForm;

    /** The type id and storage the native kernels multiply: the data as stored, or repacked ({@link NativeKernels#repack}). */
    record NativeForm(int type, MemorySegment data) {
    }

    protected FloatMatrix(MemorySegment data, int rows, int cols) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    /** The weight types the engine multiplies. */
    public static boolean supports(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * A matrix view of a tensor's data.
     *
     * @throws UnsupportedModelException naming the tensor and its type when the engine cannot multiply that type,
     *                                   or when the data does not hold rows × cols elements
     */
    public static FloatMatrix of(String name, GgmlType type, MemorySegment data, int rows, int cols) {
        if (!supports(type)) {
            throw new UnsupportedModelException("tensor '" + name + "' has type " + type
                    + ", which the engine does not support (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K)");
        }
        if (cols % type.blockSize() != 0) {
            throw new UnsupportedModelException("tensor '" + name + "' row length " + cols + " is not a multiple of the "
                    + type + " block size " + type.blockSize());
        }
        long expected = type.byteSize((long) rows * cols);
        if (data.byteSize() < expected) {
            throw new UnsupportedModelException("tensor '" + name + "' holds " + data.byteSize() + " bytes, "
                    + rows + " × " + cols + " " + type + " needs " + expected);
        }
        return switch (type) {
            case F32 -> new F32Matrix(data, rows, cols);
            case F16 -> new F16Matrix(data, rows, cols);
            case BF16 -> new BF16Matrix(data, rows, cols);
            case Q8_0 -> new Q8_0Matrix(data, rows, cols);
            case Q4_0 -> new Q4_0Matrix(data, rows, cols);
            case Q4_K -> new Q4_KMatrix(data, rows, cols);
            case Q5_K -> new Q5_KMatrix(data, rows, cols);
            case Q6_K -> new Q6_KMatrix(data, rows, cols);
            default -> throw new AssertionError(type);
        };
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public abstract GgmlType type();

    /** The matrix's storage, {@code type().byteSize(rows × cols)} bytes in GGUF's block layout (for device uploads). */
    public MemorySegment data() {
        return data.asSlice(0, type().byteSize((long) rows * cols));
    }

    /**
     * This matrix as the native kernels multiply it, made once: Q8_0 and Q4_0 repacked (the mapped original's pages
     * are then released, as only the Java kernels and row lookups read them), other types as stored.
     */
    NativeForm nativeForm(NativeKernels lib) {
        NativeForm form = nativeForm;
        if (form == null) {
            synchronized (this) {
                form = nativeForm;
                if (form == null) {
                    int id = type().id();
                    form = lib.repack(id, data, rows, cols)
                            .map(packed -> new NativeForm(id + NativeKernels.REPACKED, packed))
                            .orElseGet(() -> new NativeForm(id, data));
                    if (form.data() != data && data.isMapped()) {
                        data().unload();
                    }
                    nativeForm = form;
                }
            }
        }
        return form;
    }

    /** Decodes row {@code row} into {@code out[0..cols)} (exactly as ggml's dequantize_row does). */
    public abstract void row(int row, float[] out);

    /**
     * Decodes rows [row, row + count) into {@code out} from {@code offset}, one after the other;
     * bit-identical to {@link #row}. Subclasses vectorise this: it is the float path's only
     * type-specific step.
     */
    protected void decodeRows(int row, int count, float[] out, int offset) {
        float[] one = new float[cols];
        for (int r = 0; r < count; r++) {
            row(row + r, one);
            System.arraycopy(one, 0, out, offset + r * cols, cols);
        }
    }

    /** Prepares what {@link #multiply} reads from the activations (their 8-bit form); called before the threads start. */
    void prepare(Activations in) {
    }

    /**
     * For rows [rowStart, rowEnd): {@code out[b][r] = row(r) · in.x[b]} for b in [0, in.batch).
     * Thread-safe for disjoint row ranges (the worker threads split the rows).
     */
    void multiply(int rowStart, int rowEnd, Activations in, float[][] out) {
        multiplyFloat(rowStart, rowEnd, in.x, in.batch, out);
    }

    /** The float path: tiles of decoded rows times the float activations. */
    final void multiplyFloat(int rowStart, int rowEnd, float[][] x, int batch, float[][] out) {
        int tile = Math.max(2, Math.min(32, TILE_BYTES / (cols * Float.BYTES)) & ~1);
        float[] w = scratch(tile * cols);
        for (int r0 = rowStart; r0 < rowEnd; r0 += tile) {
            int n = Math.min(tile, rowEnd - r0);
            decodeRows(r0, n, w, 0);
            int b = 0;
            // Two vectors at a time over the whole tile, then the odd one out.
            for (; b + 2 <= batch; b += 2) {
                Dot.tile42(w, 0, n, cols, x[b], x[b + 1], out[b], out[b + 1], r0);
            }
            if (b < batch) {
                Dot.tile1(w, 0, n, cols, x[b], out[b], r0);
            }
        }
    }

    /** A per-thread short buffer of at least {@code n} elements (contents undefined). */
    static short[] shortScratch(int n) {
        short[][] holder = SHORTS.get();
        if (holder[0].length < n) {
            holder[0] = new short[n];
        }
        return holder[0];
    }

    /** A per-thread float buffer of at least {@code n} elements (contents undefined). */
    static float[] scratch(int n) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < n) {
            holder[0] = new float[n];
        }
        return holder[0];
    }
}
