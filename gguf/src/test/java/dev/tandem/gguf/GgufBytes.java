package dev.tandem.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes small GGUF files byte by byte, so tests can build valid and deliberately broken ones. */
final class GgufBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    GgufBytes u8(int v) {
        out.write(v);
        return this;
    }

    GgufBytes u32(int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        return this;
    }

    GgufBytes u64(long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    GgufBytes f32(float v) {
        return u32(Float.floatToRawIntBits(v));
    }

    GgufBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        out.writeBytes(b);
        return this;
    }

    GgufBytes padTo(int alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /**
     * A valid file: a few metadata types and one F32 tensor "t" of shape (4, 2) holding 0..7.
     *
     * @param tensorType   ggml type id written for the tensor
     * @param tensorOffset data offset written for the tensor
     * @param arrayCount   element count written for the int array (3 is honest)
     */
    static byte[] sample(int magic, int version, int tensorType, long tensorOffset, long arrayCount) {
        GgufBytes g = new GgufBytes();
        g.u32(magic).u32(version).u64(1).u64(6);
        g.str("general.architecture").u32(8).str("llama");
        g.str("general.alignment").u32(4).u32(32);
        g.str("test.float").u32(6).f32(1.5f);
        g.str("test.bool").u32(7).u8(1);
        g.str("test.ints").u32(9).u32(5).u64(arrayCount).u32(1).u32(2).u32(3);
        g.str("test.nested").u32(9).u32(9).u64(2)
                .u32(8).u64(1).str("a")
                .u32(8).u64(2).str("b").str("c");
        g.str("t").u32(2).u64(4).u64(2).u32(tensorType).u64(tensorOffset);
        g.padTo(32);
        for (int i = 0; i < 8; i++) {
            g.f32(i);
        }
        return g.bytes();
    }

    static byte[] valid() {
        return sample(GgufFile.MAGIC, 3, 0, 0, 3);
    }
}
