package dev.tandem.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tandem.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The native kernels (src-native/cpu) against the Java kernels on random weights of awkward shapes (row counts
 * that are not multiples of any tile, float rows not multiples of the vector width), batches 1 to 9, on every
 * instruction set this CPU runs. Quantized types give the Java kernels' results bit for bit (same integer
 * lanes, same float accumulation); float types too where the float lanes agree with the Java Vector API's
 * preferred width, otherwise within float rounding. Skipped when the library is not built.
 */
class NativeKernelsTest {

    private static NativeKernels library() {
        Optional<NativeKernels> lib = NativeKernels.get();
        Assumptions.assumeTrue(lib.isPresent(), () -> "native CPU kernels not built: " + NativeKernels.failure());
        return lib.get();
    }

    /** The instruction sets this CPU runs, best first. */
    private static List<String> isas(NativeKernels lib) {
        List<String> out = new ArrayList<>();
        switch (lib.detectedIsaName()) {
            case "avx512" -> out.addAll(List.of("avx512", "avx2", "generic"));
            case "avx2" -> out.addAll(List.of("avx2", "generic"));
            default -> out.add(lib.detectedIsaName());
        }
        return out;
    }

    private static float[][] activations(int batch, int cols, Random rnd) {
        float[][] x = new float[batch][cols];
        for (int b = 0; b < batch; b++) {
            // One all-zero vector when there are several: the quantizers' zero-scale case.
            if (batch > 2 && b == 1) {
                continue;
            }
            for (int i = 0; i < cols; i++) {
                x[b][i] = (float) (rnd.nextGaussian() * (rnd.nextInt(16) == 0 ? 8 : 1));
            }
        }
        return x;
    }

    private static boolean quantized(GgmlType t) {
        return t != GgmlType.F32 && t != GgmlType.F16 && t != GgmlType.BF16;
    }

    /** Shapes per type: rows, cols. */
    private static int[][] shapes(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16 -> new int[][] {{1, 1}, {5, 7}, {13, 33}, {7, 100}, {37, 257}, {6, 512}};
            case Q8_0, Q4_0 -> new int[][] {{1, 32}, {3, 64}, {13, 96}, {37, 224}, {160, 64}, {5, 2048}};
            default -> new int[][] {{1, 256}, {7, 512}, {13, 768}};
        };
    }

    private static float[][] javaProduct(FloatMatrix m, float[][] x, boolean prompt) {
        Activations a = new Activations(x, x.length, prompt);
        m.prepare(a);
        float[][] out = new float[x.length][m.rows()];
        m.multiply(0, m.rows() / 2, a, out);
        m.multiply(m.rows() / 2, m.rows(), a, out);
        return out;
    }

    private static float[][] nativeProduct(NativeKernels lib, FloatMatrix m, float[][] x, int threads) {
        float[][] out = new float[x.length][m.rows()];
        try (Parallel p = new Parallel(threads); NativeMatmul mm = new NativeMatmul(lib, p)) {
            mm.multiply(x.length, x, new FloatMatrix[] {m}, new float[][][] {out});
        }
        return out;
    }

    /** Σ|w·x| per output in double: the scale of float rounding errors. */
    private static double magnitude(FloatMatrix m, int r, float[] x) {
        float[] row = new float[m.cols()];
        m.row(r, row);
        double s = 0;
        for (int i = 0; i < row.length; i++) {
            s += Math.abs((double) row[i] * x[i]);
        }
        return s;
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void nativeKernelsMatchTheJavaKernels(GgmlType type) {
        NativeKernels lib = library();
        String before = lib.isaName();
        try {
            for (String isa : isas(lib)) {
                assertEquals(isa, lib.select(isa));
                boolean exact = quantized(type)
                        ? Dot.INT8
                        : Dot.VECTOR && FloatVector.SPECIES_PREFERRED.length() == lib.floatLanes();
                Random rnd = new Random(type.ordinal() * 31L + isa.hashCode());
                for (int[] shape : shapes(type)) {
                    int rows = shape[0];
                    int cols = shape[1];
                    FloatMatrix m = FloatMatrix.of("w", type, RandomWeights.of(type, rows, cols, rnd), rows, cols);
                    for (int batch = 1; batch <= 9; batch++) {
                        float[][] x = activations(batch, cols, rnd);
                        float[][] expected = javaProduct(m, x, false);
                        float[][] actual = nativeProduct(lib, m, x, 1 + batch % 2);
                        compare(type + " " + isa + " " + rows + "x" + cols + " batch " + batch, m, x, expected, actual, exact);
                    }
                    // Prompts: the Java kernels multiply dequantized values in float; the native ones stay in integers.
                    for (int batch : new int[] {9, 17}) {
                        float[][] x = activations(batch, cols, rnd);
                        compare(type + " " + isa + " " + rows + "x" + cols + " prompt of " + batch, m, x,
                                javaProduct(m, x, true), nativeProduct(lib, m, x, 2), !quantized(type) && exact);
                    }
                }
            }
        } finally {
            lib.select(before);
        }
    }

    private static void compare(String what, FloatMatrix m, float[][] x, float[][] expected, float[][] actual, boolean exact) {
        for (int b = 0; b < expected.length; b++) {
            for (int r = 0; r < m.rows(); r++) {
                float e = expected[b][r];
                float a = actual[b][r];
                if (exact) {
                    if (Float.floatToIntBits(e) != Float.floatToIntBits(a) && !(e == 0f && a == 0f)) {
                        fail(what + ": out[" + b + "][" + r + "] native " + a + " != java " + e);
                    }
                } else {
                    double tol = 1e-5 * magnitude(m, r, x[b]) + 1e-30;
                    if (!(Math.abs(e - a) <= tol)) {
                        fail(what + ": out[" + b + "][" + r + "] native " + a + " vs java " + e + " beyond " + tol);
                    }
                }
            }
        }
    }

    @Test
    void quantizationMatchesTheJavaQuantizers() {
        NativeKernels lib = library();
        Random rnd = new Random(7);
        int cols = 1024;
        float[][] x = activations(4, cols, rnd);
        x[0][5] = 1e-30f; // tiny values: subnormal half scales
        // a block whose scaled values are exact halves: round half to even (127 makes the scale 1)
        float[] ties = {127f, 2.5f, 3.5f, -2.5f, 0.5f, -0.5f, 1.5f, -126.5f};
        System.arraycopy(ties, 0, x[1], 64, ties.length);
        for (int i = 64 + ties.length; i < 96; i++) {
            x[1][i] = 0f;
        }
        Activations a = new Activations(x, 4, false);
        a.quantizeQ8_0();
        a.quantizeQ8_K();
        String before = lib.isaName();
        try (Arena arena = Arena.ofConfined()) {
            for (String isa : isas(lib)) {
                assertEquals(isa, lib.select(isa));
                MemorySegment xs = arena.allocate((long) cols * 4 * 4, 64);
                for (int b = 0; b < 4; b++) {
                    MemorySegment.copy(x[b], 0, xs, ValueLayout.JAVA_FLOAT, (long) b * cols * 4, cols);
                }
                for (int kind : new int[] {NativeKernels.ACT_Q8_0, NativeKernels.ACT_Q8_K}) {
                    long stride = lib.actBytes(kind, cols);
                    MemorySegment act = arena.allocate(stride * 4, 64);
                    lib.quantize(kind, xs, cols, cols, 4, act, stride);
                    int block = kind == NativeKernels.ACT_Q8_0 ? 32 : 256;
                    for (int b = 0; b < 4; b++) {
                        short[] q = kind == NativeKernels.ACT_Q8_0 ? a.q8_0(b) : a.q8_K(b);
                        float[] d = kind == NativeKernels.ACT_Q8_0 ? a.d8_0(b) : a.d8_K(b);
                        long base = b * stride;
                        for (int i = 0; i < cols; i++) {
                            // Q8_0 in element order, Q8_K in lane order (tandem_cpu.h)
                            int t = i % 32;
                            int l = t >> 2;
                            int j = t & 3;
                            int element = kind == NativeKernels.ACT_Q8_0 ? i : (i - t) + (j < 2 ? 2 * l + j : 16 + 2 * l + j - 2);
                            assertEquals(q[element], act.get(ValueLayout.JAVA_BYTE, base + i), "kind " + kind + " value " + element);
                        }
                        for (int k = 0; k < cols / block; k++) {
                            assertEquals(d[k], act.get(ValueLayout.JAVA_FLOAT_UNALIGNED, base + cols + 4L * k), "scale " + k);
                        }
                        if (kind == NativeKernels.ACT_Q8_0) {
                            // then the values offset to unsigned, and −8 × each block's sum (for Q4_0's nibbles)
                            long unsigned = base + cols + 4L * (cols / 32);
                            for (int i = 0; i < cols; i++) {
                                assertEquals(q[i] + 128, act.get(ValueLayout.JAVA_BYTE, unsigned + i) & 0xFF);
                            }
                            for (int k = 0; k < cols / 32; k++) {
                                int sum = 0;
                                for (int i = 0; i < 32; i++) {
                                    sum += q[32 * k + i];
                                }
                                assertEquals(-8 * sum, act.get(ValueLayout.JAVA_INT_UNALIGNED, unsigned + cols + 4L * k));
                            }
                        }
                        if (kind == NativeKernels.ACT_Q8_K) {
                            int[] sums = a.sum8_K(b);
                            for (int k = 0; k < cols / 32; k++) {
                                assertEquals(sums[k], act.get(ValueLayout.JAVA_INT_UNALIGNED, base + cols + 4L * (cols / 256) + 4L * k));
                            }
                        }
                    }
                }
            }
        } finally {
            lib.select(before);
        }
    }

    @Test
    void selection() {
        assertEquals(CpuKernels.NATIVE, CpuKernels.parse(" Native "));
        assertEquals(CpuKernels.AUTO, CpuKernels.parse("auto"));
        assertThrows(IllegalArgumentException.class, () -> CpuKernels.parse("fast"));
        assertEquals(CpuKernels.JAVA, CpuKernels.JAVA.resolve());
        // Without the library: auto falls back to Java, native fails saying why and what to do.
        assertEquals(CpuKernels.JAVA, CpuKernels.AUTO.resolve(Optional.empty(), "absent for the test"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CpuKernels.NATIVE.resolve(Optional.empty(), "absent for the test"));
        assertTrue(e.getMessage().contains("absent for the test") && e.getMessage().contains("build.sh"), e.getMessage());
        assertEquals(NativeKernels.get().isPresent() ? CpuKernels.NATIVE : CpuKernels.JAVA, CpuKernels.AUTO.resolve());
    }
}
