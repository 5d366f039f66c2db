package dev.tandem.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes a GGUF v3 file: metadata with explicit value types (llama.cpp checks them: counts are
 * UINT32, token types INT32, ...), tensor infos, and the tensor data, each tensor at an offset
 * aligned to {@code general.alignment} (32) and zero-padded. The data is produced by a callback per
 * tensor that fills a slice of the memory-mapped output, so files larger than memory can be
 * written (and in parallel, by a callback that splits its slice).
 *
 * <p>The file is written next to the target and renamed into place when complete.
 */
public final class GgufWriter {

    public static final int ALIGNMENT = GgufFile.DEFAULT_ALIGNMENT;

    private record Value(GgufValueType type, GgufValueType elementType, Object value) {
    }

    private record Tensor(String name, GgmlType type, long[] shape, long byteSize, Consumer<MemorySegment> data) {
    }

    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, null, value);
    }

    public GgufWriter putU32(String key, long value) {
        if (value < 0 || value > 0xFFFFFFFFL) {
            throw new IllegalArgumentException(key + ": " + value + " does not fit a uint32");
        }
        return put(key, GgufValueType.UINT32, null, value);
    }

    public GgufWriter putI32(String key, int value) {
        return put(key, GgufValueType.INT32, null, value);
    }

    public GgufWriter putF32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, null, value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, null, value);
    }

    public GgufWriter putStrings(String key, String[] values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.STRING, values.clone());
    }

    public GgufWriter putF32s(String key, float[] values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.FLOAT32, values.clone());
    }

    public GgufWriter putI32s(String key, int[] values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.INT32, values.clone());
    }

    private GgufWriter put(String key, GgufValueType type, GgufValueType elementType, Object value) {
        if (metadata.containsKey(key)) {
            throw new IllegalArgumentException("duplicate metadata key " + key);
        }
        metadata.put(key, new Value(type, elementType, value));
        return this;
    }

    /**
     * Adds a tensor.
     *
     * @param shape ggml dimensions, innermost first: a [rows, cols] matrix is {@code {cols, rows}}
     * @param data  fills the tensor's bytes (exactly {@link GgmlType#byteSize} of the element count)
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, Consumer<MemorySegment> data) {
        if (shape.length < 1 || shape.length > 4) {
            throw new IllegalArgumentException(name + ": 1 to 4 dimensions, got " + shape.length);
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": row length " + shape[0] + " is not a multiple of the "
                    + type + " block size " + type.blockSize());
        }
        long elements = 1;
        for (long d : shape) {
            elements = Math.multiplyExact(elements, d);
        }
        for (Tensor t : tensors) {
            if (t.name.equals(name)) {
                throw new IllegalArgumentException("duplicate tensor " + name);
            }
        }
        tensors.add(new Tensor(name, type, shape.clone(), type.byteSize(elements), data));
        return this;
    }

    /** Writes the file (to a temporary name first, then moved to {@code path}). */
    public void write(Path path) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        u32(header, GgufFile.MAGIC);
        u32(header, 3);
        u64(header, tensors.size());
        u64(header, metadata.size());
        for (Map.Entry<String, Value> e : metadata.entrySet()) {
            string(header, e.getKey());
            Value v = e.getValue();
            u32(header, v.type.id());
            value(header, v);
        }
        long[] offsets = new long[tensors.size()];
        long offset = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            offsets[i] = offset;
            string(header, t.name);
            u32(header, t.shape.length);
            for (long d : t.shape) {
                u64(header, d);
            }
            u32(header, t.type.id());
            u64(header, offset);
            offset = align(offset + t.byteSize);
        }
        long dataStart = align(header.size());
        long total = dataStart + (tensors.isEmpty() ? 0 : offsets[offsets.length - 1] + tensors.getLast().byteSize);

        Path dir = path.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".part");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING); Arena arena = Arena.ofShared()) {
                // Sized up front (a sparse file): gaps stay zero.
                ch.write(ByteBuffer.wrap(new byte[1]), total - 1);
                MemorySegment file = ch.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
                MemorySegment.copy(MemorySegment.ofArray(header.toByteArray()), 0, file, 0, header.size());
                for (int i = 0; i < tensors.size(); i++) {
                    Tensor t = tensors.get(i);
                    t.data.accept(file.asSlice(dataStart + offsets[i], t.byteSize));
                }
                file.force();
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static long align(long position) {
        return (position + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void value(ByteArrayOutputStream out, Value v) {
        switch (v.type) {
            case STRING -> string(out, (String) v.value);
            case UINT32 -> u32(out, (int) (long) (Long) v.value);
            case INT32 -> u32(out, (Integer) v.value);
            case FLOAT32 -> u32(out, Float.floatToRawIntBits((Float) v.value));
            case BOOL -> out.write((Boolean) v.value ? 1 : 0);
            case ARRAY -> {
                u32(out, v.elementType.id());
                switch (v.elementType) {
                    case STRING -> {
                        String[] a = (String[]) v.value;
                        u64(out, a.length);
                        for (String s : a) {
                            string(out, s);
                        }
                    }
                    case FLOAT32 -> {
                        float[] a = (float[]) v.value;
                        u64(out, a.length);
                        for (float f : a) {
                            u32(out, Float.floatToRawIntBits(f));
                        }
                    }
                    case INT32 -> {
                        int[] a = (int[]) v.value;
                        u64(out, a.length);
                        for (int x : a) {
                            u32(out, x);
                        }
                    }
                    default -> throw new AssertionError(v.elementType);
                }
            }
            default -> throw new AssertionError(v.type);
        }
    }

    private static void u32(ByteArrayOutputStream out, int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    private static void u64(ByteArrayOutputStream out, long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(out, b.length);
        out.writeBytes(b);
    }
}
