package dev.tandem.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.testing.SharedData;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The quantizers against llama.cpp itself: the shared Q8_0 / Q4_0 models were made by
 * {@code llama-quantize} from the shared F32 model, so quantizing the F32 tensors must give
 * exactly the blocks in those files.
 */
class GgmlQuantsReferenceTest {

    @ParameterizedTest
    @CsvSource({"rand-llama-v512-q8_0.gguf, Q8_0", "rand-llama-v512-q4_0.gguf, Q4_0"})
    void reproducesLlamaQuantize(String quantized, GgmlType type) throws Exception {
        try (GgufFile f32 = GgufFile.open(SharedData.model("rand-llama-v512.gguf"));
             GgufFile q = GgufFile.open(SharedData.model(quantized))) {
            int compared = 0;
            for (GgufTensorInfo t : q.tensors().values()) {
                if (t.type() != type) {
                    continue;
                }
                GgufTensorInfo src = f32.tensor(t.name()).orElseThrow();
                assertEquals(GgmlType.F32, src.type(), t.name());
                int n = Math.toIntExact(src.elementCount());
                float[] x = new float[n];
                MemorySegment.copy(f32.tensorData(src), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, x, 0, n);
                MemorySegment mine = MemorySegment.ofArray(new byte[Math.toIntExact(t.byteSize())]);
                GgmlQuants.encode(type, x, 0, n, mine, 0);
                long mismatch = mine.mismatch(q.tensorData(t));
                assertEquals(-1, mismatch, t.name() + ": first differing byte at " + mismatch);
                compared++;
            }
            assertTrue(compared > 0);
        }
    }
}
