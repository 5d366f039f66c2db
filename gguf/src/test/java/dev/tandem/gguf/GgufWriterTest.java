package dev.tandem.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesMetadataAndAlignedTensorsThatReadBack() throws Exception {
        float[] values = new float[64];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i - 20) / 7f;
        }
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putU32("llama.block_count", 3)
                .putI32("test.int", -5)
                .putF32("test.float", 0.25f)
                .putBool("test.bool", true)
                .putStrings("test.strings", new String[] {"a", "\u2581b", ""})
                .putF32s("test.floats", new float[] {1f, -2f})
                .putI32s("test.ints", new int[] {1, 2, 3});
        w.addTensor("f32", GgmlType.F32, new long[] {3}, d -> GgmlQuants.writeF32(new float[] {1, 2, 3}, 0, 3, d, 0));
        w.addTensor("q8", GgmlType.Q8_0, new long[] {32, 2}, d -> GgmlQuants.quantizeQ8_0(values, 0, 64, d, 0));
        w.addTensor("q4", GgmlType.Q4_0, new long[] {64}, d -> GgmlQuants.quantizeQ4_0(values, 0, 64, d, 0));
        w.addTensor("f16", GgmlType.F16, new long[] {5}, d -> GgmlQuants.writeF16(values, 0, 5, d, 0));
        Path file = dir.resolve("t.gguf");
        w.write(file);

        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(3, g.version());
            GgufMetadata md = g.metadata();
            assertEquals("llama", md.requireString("general.architecture"));
            assertEquals(GgufValueType.UINT32, md.type("llama.block_count"));
            assertEquals(3, md.getInt("llama.block_count"));
            assertEquals(GgufValueType.INT32, md.type("test.int"));
            assertEquals(-5, md.getInt("test.int"));
            assertEquals(0.25f, md.getFloat("test.float", 0));
            assertEquals(true, md.getBoolean("test.bool", false));
            assertArrayEquals(new String[] {"a", "\u2581b", ""}, md.getStringArray("test.strings").orElseThrow());
            assertArrayEquals(new float[] {1f, -2f}, md.getFloatArray("test.floats").orElseThrow());
            assertArrayEquals(new int[] {1, 2, 3}, md.getIntArray("test.ints").orElseThrow());

            assertEquals(4, g.tensors().size());
            for (GgufTensorInfo t : g.tensors().values()) {
                assertEquals(0, t.offset() % GgufWriter.ALIGNMENT, t.name());
            }
            GgufTensorInfo q8 = g.tensor("q8").orElseThrow();
            assertEquals(GgmlType.Q8_0, q8.type());
            assertArrayEquals(new long[] {32, 2}, q8.shape());
            MemorySegment expected = MemorySegment.ofArray(new byte[68]);
            GgmlQuants.quantizeQ8_0(values, 0, 64, expected, 0);
            assertArrayEquals(expected.toArray(ValueLayout.JAVA_BYTE), g.tensorData(q8).toArray(ValueLayout.JAVA_BYTE));

            float[] f32 = new float[3];
            MemorySegment.copy(g.tensorData("f32"), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, f32, 0, 3);
            assertArrayEquals(new float[] {1, 2, 3}, f32);
            float[] q4 = new float[64];
            GgmlQuants.decode(GgmlType.Q4_0, g.tensorData("q4"), 0, q4, 0, 64);
            assertEquals(values[63], q4[63], 0.3f);
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(values[4])),
                    Float.float16ToFloat(g.tensorData("f16").get(ValueLayout.JAVA_SHORT_UNALIGNED, 8)));
        }
    }

    @Test
    void refusesBadTensorsAndKeys() {
        GgufWriter w = new GgufWriter().putU32("a", 1);
        assertThrows(IllegalArgumentException.class, () -> w.putU32("a", 2));
        assertThrows(IllegalArgumentException.class, () -> w.putU32("b", -1));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.Q8_0, new long[] {48}, d -> { }));
        w.addTensor("t", GgmlType.F32, new long[] {4}, d -> { });
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {4}, d -> { }));
    }
}
