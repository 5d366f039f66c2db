package dev.tandem.engine;

import dev.tandem.model.UnsupportedModelException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every weight type's kernels on random weights: vectorised row decoding equals the scalar
 * decoder bit for bit; products equal a float64 reference (the decoded weights times the values
 * the kernel multiplies: the activations, or for quantized weights their 8-bit quantization) to
 * float rounding; and a row times a vector gives the same bits at any batch size.
 */
class QuantKernelsTest {

    private static final int ROWS = 7;
    private static final int COLS = 512;
    private static final int BATCH = 5;

    private static float[][] activations(Random rnd) {
        float[][] x = new float[BATCH][COLS];
        for (float[] v : x) {
            for (int i = 0; i < COLS; i++) {
                v[i] = (float) rnd.nextGaussian();
            }
        }
        return x;
    }

    private static boolean quantized(GgmlType t) {
        return t != GgmlType.F32 && t != GgmlType.F16 && t != GgmlType.BF16;
    }

    /** What the kernels multiply the weights with: the activations or their dequantized 8-bit form. */
    private static float[][] multiplicands(GgmlType type, float[][] x) {
        if (!quantized(type)) {
            return x;
        }
        Activations a = new Activations(x, x.length, true);
        boolean k = type == GgmlType.Q4_K || type == GgmlType.Q5_K || type == GgmlType.Q6_K;
        if (k) {
            a.quantizeQ8_K();
            return a.dequantizedQ8_K();
        }
        a.quantizeQ8_0();
        return a.dequantizedQ8_0();
    }

    private static float[][] multiply(FloatMatrix m, float[][] x, int from, int count, boolean prompt) {
        float[][] in = new float[count][];
        System.arraycopy(x, from, in, 0, count);
        Activations a = new Activations(in, count, prompt);
        m.prepare(a);
        float[][] out = new float[count][ROWS];
        // Two row ranges, as the worker threads would split them.
        m.multiply(0, 3, a, out);
        m.multiply(3, ROWS, a, out);
        return out;
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void kernelsMatchAFloat64ReferenceAtEveryBatchSize(GgmlType type) {
        Random rnd = new Random(type.ordinal());
        FloatMatrix m = FloatMatrix.of("w", type, RandomWeights.of(type, ROWS, COLS, rnd), ROWS, COLS);
        assertEquals(type, m.type());
        float[][] x = activations(rnd);

        // Tiles of decoded rows equal row by row decoding.
        float[] tile = new float[ROWS * COLS];
        m.decodeRows(0, ROWS, tile, 0);
        float[][] rows = new float[ROWS][COLS];
        for (int r = 0; r < ROWS; r++) {
            m.row(r, rows[r]);
            for (int i = 0; i < COLS; i++) {
                assertEquals(Float.floatToIntBits(rows[r][i]), Float.floatToIntBits(tile[r * COLS + i]), type + " row " + r + " element " + i);
                assertTrue(Float.isFinite(rows[r][i]));
            }
        }

        float[][] y = multiplicands(type, x);
        for (boolean prompt : new boolean[] {false, true}) {
            float[][] batched = multiply(m, x, 0, BATCH, prompt);
            for (int b = 0; b < BATCH; b++) {
                float[][] single = multiply(m, x, b, 1, prompt);
                assertArrayEquals(batched[b], single[0], type + (prompt ? " prompt" : " decode") + ": batch of " + BATCH + " vs alone, vector " + b);
                for (int r = 0; r < ROWS; r++) {
                    double exact = 0;
                    double magnitude = 0;
                    for (int i = 0; i < COLS; i++) {
                        exact += (double) rows[r][i] * y[b][i];
                        magnitude += Math.abs((double) rows[r][i] * y[b][i]);
                    }
                    assertEquals(exact, batched[b][r], 2e-6 * magnitude + 1e-30,
                            type + (prompt ? " prompt" : " decode") + " row " + r + " vector " + b);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q2_K", "Q3_K", "Q4_1", "Q5_0", "IQ4_NL", "I8"})
    void unsupportedTypesAreNamedWithTheirTensor(GgmlType type) {
        MemorySegment seg = Arena.ofAuto().allocate(type.byteSize(256L * 4));
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> FloatMatrix.of("blk.3.ffn_up.weight", type, seg, 4, 256));
        assertTrue(e.getMessage().contains("blk.3.ffn_up.weight") && e.getMessage().contains(type.name()), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_K"})
    void shortTensorDataIsRefused(GgmlType type) {
        MemorySegment seg = Arena.ofAuto().allocate(type.byteSize(256L * 4) - 1);
        assertThrows(UnsupportedModelException.class, () -> FloatMatrix.of("t", type, seg, 4, 256));
    }
}
