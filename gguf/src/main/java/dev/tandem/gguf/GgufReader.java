package dev.tandem.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked little-endian cursor over the mapped file. Every read checks the remaining
 * bytes first so that a truncated or lying header ends in a {@link GgufFormatException} naming
 * what was being read, never in an out-of-bounds access.
 */
final class GgufReader {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment segment;
    private final long size;
    private long position;

    GgufReader(MemorySegment segment) {
        this.segment = segment;
        this.size = segment.byteSize();
    }

    long position() {
        return position;
    }

    long remaining() {
        return size - position;
    }

    private long take(long bytes, String what) throws GgufFormatException {
        if (bytes < 0 || bytes > size - position) {
            throw new GgufFormatException("truncated file: " + what + " needs " + Long.toUnsignedString(bytes)
                    + " bytes at offset " + position + " but only " + (size - position) + " remain");
        }
        long at = position;
        position += bytes;
        return at;
    }

    byte i8(String what) throws GgufFormatException {
        return segment.get(ValueLayout.JAVA_BYTE, take(1, what));
    }

    short i16(String what) throws GgufFormatException {
        return segment.get(U16, take(2, what));
    }

    int i32(String what) throws GgufFormatException {
        return segment.get(U32, take(4, what));
    }

    long i64(String what) throws GgufFormatException {
        return segment.get(U64, take(8, what));
    }

    float f32(String what) throws GgufFormatException {
        return segment.get(F32, take(4, what));
    }

    double f64(String what) throws GgufFormatException {
        return segment.get(F64, take(8, what));
    }

    /** A u64 count that must fit in an int-indexed Java array and in the bytes left. */
    int count(String what, int minBytesEach) throws GgufFormatException {
        long n = i64(what);
        if (n < 0 || n > Integer.MAX_VALUE - 8 || n * (long) minBytesEach > remaining()) {
            throw new GgufFormatException("truncated or corrupt file: " + what + " " + Long.toUnsignedString(n)
                    + " at offset " + (position - 8) + " needs more than the " + remaining() + " bytes that remain");
        }
        return (int) n;
    }

    String string(String what) throws GgufFormatException {
        long len = i64(what + " length");
        long at = take(len, what);
        byte[] bytes = segment.asSlice(at, len).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
