package dev.tandem.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A memory-mapped GGUF file (v2/v3): metadata, tensor infos, and tensor data as zero-copy slices
 * of one mapping. Opening is cheap (the OS pages data in on first touch), so the frontend can use
 * the same API to read only metadata and the tokenizer.
 *
 * <p>Closing unmaps the file; slices handed out earlier become unusable (accesses throw
 * {@link IllegalStateException}, they never read freed memory).
 */
public final class GgufFile implements AutoCloseable {

    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    public static final int DEFAULT_ALIGNMENT = 32;
    private static final int MAX_DIMS = 4;

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final int version;
    private final int alignment;
    private final long dataOffset;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensorInfo> tensors;

    private GgufFile(Path path, Arena arena, MemorySegment file, int version, int alignment, long dataOffset,
                     GgufMetadata metadata, Map<String, GgufTensorInfo> tensors) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.version = version;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /**
     * Maps and parses a GGUF file.
     *
     * @throws GgufFormatException when the file is not a valid GGUF v2/v3 file
     * @throws IOException         when it cannot be read
     */
    public static GgufFile open(Path path) throws IOException {
        // A shared arena so that the engine's worker threads can read the mapping and close() unmaps.
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 24) {
                throw new GgufFormatException("truncated file: " + size + " bytes is shorter than a GGUF header (24 bytes): " + path);
            }
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return parse(path, arena, file);
        } catch (IOException | RuntimeException e) {
            arena.close();
            if (e instanceof GgufFormatException g) {
                throw new GgufFormatException(g.getMessage().contains(path.toString()) ? g.getMessage() : g.getMessage() + " (" + path + ")");
            }
            throw e;
        }
    }

    private static GgufFile parse(Path path, Arena arena, MemorySegment file) throws GgufFormatException {
        GgufReader in = new GgufReader(file);
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw new GgufFormatException(String.format("bad magic 0x%08x: not a GGUF file (expected \"GGUF\")", magic));
        }
        int version = in.i32("version");
        if (version == 1) {
            throw new GgufFormatException("GGUF version 1 is not supported (only 2 and 3)");
        }
        if (version != 2 && version != 3) {
            if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                throw new GgufFormatException("big-endian GGUF files are not supported");
            }
            throw new GgufFormatException("unsupported GGUF version " + Integer.toUnsignedString(version) + " (only 2 and 3)");
        }
        // 24 bytes of name/ndims/type/offset is the least a tensor info can take.
        int tensorCount = in.count("tensor count", 24);
        // key length + value type + smallest value.
        int kvCount = in.count("metadata key/value count", 13);

        GgufMetadata metadata = GgufMetadata.read(in, kvCount);
        int alignment = DEFAULT_ALIGNMENT;
        if (metadata.contains("general.alignment")) {
            long a;
            try {
                a = metadata.getLong("general.alignment");
            } catch (RuntimeException e) {
                throw new GgufFormatException("general.alignment is not an integer: " + metadata.get("general.alignment"));
            }
            if (a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
                throw new GgufFormatException("general.alignment " + a + " is not a positive power of two");
            }
            alignment = (int) a;
        }

        Map<String, GgufTensorInfo> tensors = new LinkedHashMap<>();
        for (int i = 0; i < tensorCount; i++) {
            GgufTensorInfo t = readTensorInfo(in, i, alignment);
            if (tensors.putIfAbsent(t.name(), t) != null) {
                throw new GgufFormatException("duplicate tensor name '" + t.name() + "'");
            }
        }
        long dataOffset = align(in.position(), alignment);
        long fileSize = file.byteSize();
        for (GgufTensorInfo t : tensors.values()) {
            long end = dataOffset + t.offset() + t.byteSize();
            if (t.offset() > fileSize || end > fileSize || end < 0) {
                throw new GgufFormatException("tensor '" + t.name() + "' data [" + (dataOffset + t.offset()) + ", " + end
                        + ") lies outside the file (" + fileSize + " bytes): truncated file?");
            }
        }
        return new GgufFile(path, arena, file, version, alignment, dataOffset, metadata, Collections.unmodifiableMap(tensors));
    }

    private static GgufTensorInfo readTensorInfo(GgufReader in, int index, int alignment) throws GgufFormatException {
        String name = in.string("name of tensor #" + index);
        int dims = in.i32("dimension count of tensor '" + name + "'");
        if (dims < 1 || dims > MAX_DIMS) {
            throw new GgufFormatException("tensor '" + name + "' has " + Integer.toUnsignedString(dims) + " dimensions (1 to " + MAX_DIMS + " allowed)");
        }
        long[] shape = new long[dims];
        long elements = 1;
        for (int d = 0; d < dims; d++) {
            shape[d] = in.i64("dimension " + d + " of tensor '" + name + "'");
            if (shape[d] < 0) {
                throw new GgufFormatException("tensor '" + name + "' has a negative/oversized dimension " + Long.toUnsignedString(shape[d]));
            }
            try {
                elements = Math.multiplyExact(elements, shape[d]);
            } catch (ArithmeticException e) {
                throw new GgufFormatException("tensor '" + name + "' element count overflows");
            }
        }
        int typeId = in.i32("type of tensor '" + name + "'");
        GgmlType type = GgmlType.byId(typeId);
        if (type == null) {
            throw new GgufFormatException("tensor '" + name + "' has unknown ggml type id " + typeId);
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new GgufFormatException("tensor '" + name + "' row length " + shape[0] + " is not a multiple of the "
                    + type + " block size " + type.blockSize());
        }
        long offset = in.i64("data offset of tensor '" + name + "'");
        if (offset < 0 || offset % alignment != 0) {
            throw new GgufFormatException("tensor '" + name + "' data offset " + Long.toUnsignedString(offset)
                    + " is not a multiple of the alignment " + alignment);
        }
        long byteSize;
        try {
            byteSize = type.byteSize(elements);
        } catch (ArithmeticException e) {
            throw new GgufFormatException("tensor '" + name + "' byte size overflows");
        }
        return new GgufTensorInfo(name, shape, type, offset, byteSize);
    }

    private static long align(long position, int alignment) {
        return (position + alignment - 1) / alignment * alignment;
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** Absolute file offset of the data section. */
    public long dataOffset() {
        return dataOffset;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensor infos by name, in file order. */
    public Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** The tensor's bytes as a zero-copy slice of the mapping. */
    public MemorySegment tensorData(GgufTensorInfo tensor) {
        return file.asSlice(dataOffset + tensor.offset(), tensor.byteSize());
    }

    /** The named tensor's bytes as a zero-copy slice of the mapping. */
    public MemorySegment tensorData(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "' in " + path);
        }
        return tensorData(t);
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
