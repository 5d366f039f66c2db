package dev.tandem.engine.cuda;

import dev.tandem.engine.FloatMatrix;
import dev.tandem.engine.LayerWeights;
import dev.tandem.engine.LlamaWeights;
import dev.tandem.model.UnsupportedModelException;
import dev.tandem.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's weights in device memory, uploaded once: matrices as their raw GGUF blocks (dequantized in
 * the kernels), norms, biases and RoPE factors as float32. A tied output projection is the embedding's
 * copy, not a second one.
 */
final class DeviceWeights implements AutoCloseable {

    /** Weight types with device kernels. */
    static final Set<GgmlType> TYPES = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0);

    /** Host copies of heap data (float[] norms) go through native chunks of this size. */
    private static final long CHUNK = 64L << 20;

    /**
     * One upload: a {@link FloatMatrix} or a {@code float[]}.
     *
     * @param value the host object, identifying the tensor in {@link #pointer}
     */
    record Tensor(String name, Object value, long bytes) {

        MemorySegment data() {
            return value instanceof FloatMatrix m ? m.data() : MemorySegment.ofArray((float[]) value);
        }
    }

    private final Map<Object, Long> pointers;

    private DeviceWeights(Map<Object, Long> pointers) {
        this.pointers = pointers;
    }

    /**
     * The distinct tensors of a model, in upload order.
     *
     * @throws UnsupportedModelException naming the first matrix whose type has no device kernels
     */
    static List<Tensor> tensors(LlamaWeights w) {
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        List<Tensor> out = new ArrayList<>();
        matrix(out, seen, "token_embd", w.tokenEmbedding());
        for (int l = 0; l < w.layers().size(); l++) {
            LayerWeights lw = w.layers().get(l);
            String p = "blk." + l + ".";
            vector(out, seen, p + "attn_norm", lw.attnNorm());
            matrix(out, seen, p + "attn_q", lw.wq());
            matrix(out, seen, p + "attn_k", lw.wk());
            matrix(out, seen, p + "attn_v", lw.wv());
            vector(out, seen, p + "attn_q.bias", lw.bq());
            vector(out, seen, p + "attn_k.bias", lw.bk());
            vector(out, seen, p + "attn_v.bias", lw.bv());
            matrix(out, seen, p + "attn_output", lw.wo());
            vector(out, seen, p + "ffn_norm", lw.ffnNorm());
            matrix(out, seen, p + "ffn_gate", lw.ffnGate());
            matrix(out, seen, p + "ffn_up", lw.ffnUp());
            matrix(out, seen, p + "ffn_down", lw.ffnDown());
        }
        vector(out, seen, "output_norm", w.outputNorm());
        matrix(out, seen, "output", w.output());
        vector(out, seen, "rope_freqs", w.ropeFreqFactors());
        return out;
    }

    static long bytes(List<Tensor> tensors) {
        return tensors.stream().mapToLong(Tensor::bytes).sum();
    }

    private static void matrix(List<Tensor> out, IdentityHashMap<Object, Boolean> seen, String name, FloatMatrix m) {
        if (!TYPES.contains(m.type())) {
            throw new UnsupportedModelException("tensor '" + name + "' has type " + m.type()
                    + ", which the CUDA backend has no kernels for (" + TYPES + "); use tandem.engine.backend=cpu");
        }
        if (seen.put(m, Boolean.TRUE) == null) {
            out.add(new Tensor(name, m, m.data().byteSize()));
        }
    }

    private static void vector(List<Tensor> out, IdentityHashMap<Object, Boolean> seen, String name, float[] v) {
        if (v != null && seen.put(v, Boolean.TRUE) == null) {
            out.add(new Tensor(name, v, (long) v.length * Float.BYTES));
        }
    }

    /** Allocates and copies every tensor; on failure frees what was allocated. */
    static DeviceWeights upload(List<Tensor> tensors) {
        Map<Object, Long> pointers = new IdentityHashMap<>();
        DeviceWeights weights = new DeviceWeights(pointers);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chunk = null;
            for (Tensor t : tensors) {
                long ptr = CudaNative.malloc(t.bytes());
                pointers.put(t.value(), ptr);
                MemorySegment data = t.data();
                if (data.isNative()) {
                    CudaNative.upload(ptr, data.address(), t.bytes());
                    continue;
                }
                if (chunk == null) {
                    chunk = arena.allocate(CHUNK, 64);
                }
                for (long off = 0; off < t.bytes(); off += CHUNK) {
                    long n = Math.min(CHUNK, t.bytes() - off);
                    MemorySegment.copy(data, off, chunk, 0, n);
                    CudaNative.upload(ptr + off, chunk.address(), n);
                }
            }
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
        return weights;
    }

    /** The device address of a tensor given by its host object; 0 for null (an absent bias). */
    long pointer(Object value) {
        if (value == null) {
            return 0;
        }
        Long p = pointers.get(value);
        if (p == null) {
            throw new IllegalArgumentException("tensor not uploaded");
        }
        return p;
    }

    @Override
    public void close() {
        pointers.values().forEach(CudaNative::free);
        pointers.clear();
    }
}
