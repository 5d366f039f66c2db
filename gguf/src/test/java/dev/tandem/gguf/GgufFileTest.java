package dev.tandem.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tandem.testing.SharedData;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {

    @TempDir
    Path tmp;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private GgufFormatException expectFormatError(byte[] bytes, String messagePart) throws IOException {
        Path p = write("bad.gguf", bytes);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p).close());
        assertTrue(e.getMessage().contains(messagePart), "message '" + e.getMessage() + "' lacks '" + messagePart + "'");
        return e;
    }

    @Test
    void parsesAllValueTypesAndTensorData() throws IOException {
        try (GgufFile f = GgufFile.open(write("ok.gguf", GgufBytes.valid()))) {
            assertEquals(3, f.version());
            assertEquals(32, f.alignment());
            GgufMetadata md = f.metadata();
            assertEquals("llama", md.requireString("general.architecture"));
            assertEquals(1.5f, md.getFloat("test.float", 0));
            assertTrue(md.getBoolean("test.bool", false));
            assertArrayEquals(new int[] {1, 2, 3}, md.getIntArray("test.ints").orElseThrow());
            Object[] nested = (Object[]) md.get("test.nested");
            assertArrayEquals(new String[] {"a"}, (String[]) nested[0]);
            assertArrayEquals(new String[] {"b", "c"}, (String[]) nested[1]);
            GgufTensorInfo t = f.tensor("t").orElseThrow();
            assertArrayEquals(new long[] {4, 2}, t.shape());
            assertEquals(GgmlType.F32, t.type());
            assertEquals(32, t.byteSize());
            float[] data = f.tensorData(t).toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN));
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, data);
        }
    }

    @Test
    void badMagic() throws IOException {
        expectFormatError(GgufBytes.sample(0x12345678, 3, 0, 0, 3), "bad magic");
    }

    @Test
    void unsupportedVersion() throws IOException {
        expectFormatError(GgufBytes.sample(GgufFile.MAGIC, 99, 0, 0, 3), "version 99");
        expectFormatError(GgufBytes.sample(GgufFile.MAGIC, 1, 0, 0, 3), "version 1");
    }

    @Test
    void tensorOutOfBounds() throws IOException {
        expectFormatError(GgufBytes.sample(GgufFile.MAGIC, 3, 0, 1024, 3), "outside the file");
    }

    @Test
    void misalignedTensorOffset() throws IOException {
        expectFormatError(GgufBytes.sample(GgufFile.MAGIC, 3, 0, 4, 3), "alignment");
    }

    @Test
    void unknownTensorType() throws IOException {
        expectFormatError(GgufBytes.sample(GgufFile.MAGIC, 3, 77, 0, 3), "unknown ggml type id 77");
    }

    @Test
    void lyingArrayLength() throws IOException {
        expectFormatError(GgufBytes.sample(GgufFile.MAGIC, 3, 0, 0, 1L << 40), "array length of 'test.ints'");
    }

    @Test
    void everyTruncationIsAFormatError() throws IOException {
        byte[] valid = GgufBytes.valid();
        for (int len = 0; len < valid.length; len++) {
            Path p = write("t" + len + ".gguf", Arrays.copyOf(valid, len));
            try {
                GgufFile.open(p).close();
                fail("a file truncated to " + len + " of " + valid.length + " bytes was accepted");
            } catch (GgufFormatException expected) {
                assertTrue(expected.getMessage().contains("truncated") || expected.getMessage().contains("outside the file"),
                        len + ": " + expected.getMessage());
            }
        }
    }

    @Test
    void truncatedRealModel() throws IOException {
        byte[] model = Files.readAllBytes(SharedData.model("stories260K.gguf"));
        try (GgufFile f = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            assertEquals("llama", f.metadata().requireString("general.architecture"));
            assertEquals(512, f.metadata().getStringArray("tokenizer.ggml.tokens").orElseThrow().length);
            assertTrue(f.tensors().containsKey("output.weight"));
        }
        // Cut inside the data: the last tensors lie outside the file.
        GgufFormatException e = expectFormatError(Arrays.copyOf(model, model.length / 2), "outside the file");
        assertTrue(e.getMessage().contains("tensor '"), e.getMessage());
        // Cut inside the header (the token list).
        expectFormatError(Arrays.copyOf(model, 4000), "truncated");
        // Bad magic on a real file.
        byte[] bad = model.clone();
        bad[0] = 'X';
        expectFormatError(bad, "bad magic");
    }
}
