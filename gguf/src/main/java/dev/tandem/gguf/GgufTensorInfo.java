package dev.tandem.gguf;

import java.util.Arrays;

/**
 * One tensor's description from the GGUF header.
 *
 * @param name        tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param shape       ggml dimensions, {@code shape[0]} innermost: a [out, in] matrix is stored as (in, out)
 * @param type        storage type
 * @param offset      byte offset relative to the start of the data section
 * @param byteSize    bytes the data takes
 */
public record GgufTensorInfo(String name, long[] shape, GgmlType type, long offset, long byteSize) {

    public GgufTensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions (1 to 4). */
    public int dims() {
        return shape.length;
    }

    /** Size of dimension {@code i}, 1 for dimensions beyond {@link #dims()}. */
    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    /** Total element count. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " " + type;
    }
}
