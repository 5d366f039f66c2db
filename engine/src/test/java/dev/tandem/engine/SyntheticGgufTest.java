package dev.tandem.engine;

import dev.tandem.model.synthetic.ModelShape;
import dev.tandem.model.synthetic.SyntheticGguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.UnsupportedModelException;
import dev.tandem.gguf.GgmlQuants;
import dev.tandem.gguf.GgmlType;
import dev.tandem.gguf.GgufFile;
import dev.tandem.gguf.GgufTensorInfo;
import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyntheticGgufTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "bf16", "q8_0", "q4_0"})
    void writesAModelTheEngineRuns(String typeName) throws Exception {
        GgmlType type = SyntheticGguf.parseType(typeName);
        Path file = dir.resolve("tiny-" + typeName + ".gguf");
        SyntheticGguf.write(ModelShape.TINY, type, 7, file);

        try (LoadedModel model = ModelLoader.load(Optional.of(file))) {
            assertEquals(256, model.config().dim());
            assertEquals(2, model.config().numLayers());
            assertEquals(8, model.config().numHeads());
            assertEquals(4, model.config().numKvHeads());
            assertEquals(768, model.config().hiddenDim());
            assertEquals(512, model.config().vocabSize());
            assertEquals(type, model.weights().layers().getFirst().ffnDown().type());
            int[] ids = model.tokenizer().encode("Hi there", true, false);
            assertEquals(1, ids[0]); // BOS, then byte tokens
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            for (int i = 1; i < ids.length; i++) {
                text.writeBytes(model.tokenizer().tokenBytes(ids[i]));
            }
            assertEquals("Hi there", text.toString(StandardCharsets.UTF_8));
            KvBlockPool pool = new KvBlockPool(2, model.config().kvDim(), 16, 8);
            try (LlamaEngine engine = new LlamaEngine(model, pool, 2)) {
                KvSequence seq = pool.newSequence();
                float[] logits = engine.prefill(seq, ids);
                float[] next = engine.decodeStep(List.of(seq), new int[] {5})[0];
                for (float[] l : new float[][] {logits, next}) {
                    assertEquals(512, l.length);
                    for (float v : l) {
                        assertTrue(Float.isFinite(v));
                    }
                }
            }
        }
    }

    @Test
    void tensorsAreTheSeededRowsEncodedAsLlamaCppWould() throws Exception {
        Path file = dir.resolve("q8.gguf");
        SyntheticGguf.write(ModelShape.TINY, GgmlType.Q8_0, 11, file);
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(3, g.version());
            assertEquals("llama", g.metadata().requireString("general.architecture"));
            assertEquals(7, g.metadata().getInt("general.file_type"));
            // token_embd, 9 per layer, output_norm, output
            assertEquals(1 + 9 * 2 + 2, g.tensors().size());
            int index = 0;
            for (GgufTensorInfo t : g.tensors().values()) {
                int tensor = index++;
                if (t.dims() == 1) {
                    assertEquals(GgmlType.F32, t.type(), t.name());
                    float[] v = new float[(int) t.dim(0)];
                    MemorySegment.copy(g.tensorData(t), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, v, 0, v.length);
                    for (float x : v) {
                        assertTrue(Math.abs(x - 1) < 0.3, t.name() + ": norm weight " + x);
                    }
                    continue;
                }
                assertEquals(GgmlType.Q8_0, t.type(), t.name());
                int cols = (int) t.dim(0);
                int rows = (int) t.dim(1);
                long rowBytes = GgmlType.Q8_0.byteSize(cols);
                float[] row = new float[cols];
                MemorySegment expected = MemorySegment.ofArray(new byte[(int) rowBytes]);
                double sumSquares = 0;
                for (int r = 0; r < rows; r += Math.max(1, rows / 13)) {
                    SyntheticGguf.matrixRow(11, tensor, r, cols, row);
                    for (float x : row) {
                        sumSquares += x * x;
                    }
                    GgmlQuants.quantizeQ8_0(row, 0, cols, expected, 0);
                    MemorySegment actual = g.tensorData(t).asSlice(r * rowBytes, rowBytes);
                    assertEquals(-1, expected.mismatch(actual), t.name() + " row " + r);
                }
                // Rows of N(0, 1/cols): squared norm near 1 per row.
                int sampled = (rows + Math.max(1, rows / 13) - 1) / Math.max(1, rows / 13);
                assertEquals(1.0, sumSquares / sampled, 0.2, t.name());
            }
        }
    }

    @Test
    void theSeedDeterminesTheFile() throws Exception {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        SyntheticGguf.write(ModelShape.TINY.withLayers(1), GgmlType.Q4_0, 3, a);
        SyntheticGguf.write(ModelShape.TINY.withLayers(1), GgmlType.Q4_0, 3, b);
        SyntheticGguf.write(ModelShape.TINY.withLayers(1), GgmlType.Q4_0, 4, c);
        assertEquals(-1, Files.mismatch(a, b));
        assertFalse(Files.mismatch(a, c) == -1);
    }

    @Test
    void anUnsupportedTensorTypeIsNamedOnLoad() throws Exception {
        Path file = dir.resolve("bad.gguf");
        SyntheticGguf.write(ModelShape.TINY.withLayers(1), GgmlType.Q8_0, 1, file);
        // Rewrite blk.0.attn_k.weight's type id in its tensor info from Q8_0 (8) to Q5_0 (6).
        byte[] bytes = Files.readAllBytes(file);
        byte[] name = "blk.0.attn_k.weight".getBytes(StandardCharsets.UTF_8);
        int at = indexOf(bytes, name) + name.length + 4 + 2 * 8;
        assertEquals(8, bytes[at]);
        bytes[at] = 6;
        Files.write(file, bytes);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> ModelLoader.load(Optional.of(file)).close());
        assertTrue(e.getMessage().contains("blk.0.attn_k.weight") && e.getMessage().contains("Q5_0"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void shapesMatchTheirModels() {
        assertEquals(1_100_048_384L, ModelShape.TINYLLAMA.parameters());
        assertEquals(1_235_814_400L, ModelShape.LLAMA3_1B.parameters());
        assertEquals(ModelShape.TINY, ModelShape.named("tiny"));
        assertThrows(IllegalArgumentException.class, () -> ModelShape.named("gpt5"));
        assertThrows(IllegalArgumentException.class, () -> SyntheticGguf.parseType("q4_k"));
    }
}
