package dev.tandem.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Attention's and SwiGLU's kernels ({@link Dot#blockScores}, {@link Dot#expShifted}, {@link Dot#weightedSum},
 * {@link Dot#swiglu}): the vector forms give the scalar forms' bits on awkward sizes, and the polynomial exp stays within
 * 2 ulp of {@link Math#exp}.
 */
class AttentionKernelsTest {

    @Test
    void expIsWithinTwoUlpOfMathExp() {
        Random rnd = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            float x = i < 1000 ? -i * 0.0873f : -87.3f * rnd.nextFloat();
            float expected = (float) Math.exp(x);
            float actual = Dot.exp(x);
            assertTrue(Math.abs(actual - expected) <= 2 * Math.ulp(expected), "exp(" + x + ") = " + actual + ", not " + expected);
        }
        for (int i = 0; i < 100_000; i++) {
            float x = 88f * rnd.nextFloat();
            float expected = (float) Math.exp(x);
            float actual = Dot.exp(x);
            assertTrue(Math.abs(actual - expected) <= 2 * Math.ulp(expected), "exp(" + x + ") = " + actual + ", not " + expected);
        }
        assertEquals(1f, Dot.exp(0f));
        assertEquals(0f, Dot.exp(-100f));
        assertEquals(0f, Dot.exp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Dot.exp(89f));
    }

    @Test
    void vectorFormsGiveTheScalarBits() {
        assumeTrue(Dot.VECTOR, "the Vector API is not enabled");
        Random rnd = new Random(5);
        for (int n : new int[] {1, 3, 16, 17, 40, 129}) {
            float[] x = new float[n];
            float[] y = new float[n];
            for (int t = 0; t < n; t++) {
                x[t] = (float) (rnd.nextGaussian() * 20);
            }
            float max = Float.NEGATIVE_INFINITY;
            for (float v : x) {
                max = Math.max(max, v);
            }
            float[] vector = x.clone();
            VectorDot.expShifted(vector, n, max);
            for (int t = 0; t < n; t++) {
                y[t] = Dot.exp(x[t] - max);
                assertEquals(Float.floatToIntBits(y[t]), Float.floatToIntBits(vector[t]), "exp at " + t + " of " + n);
            }
        }
        for (int n : new int[] {1, 17, 172, 5632}) {
            float[] gate = new float[n];
            float[] up = new float[n];
            for (int i = 0; i < n; i++) {
                gate[i] = (float) (rnd.nextGaussian() * (i % 7 == 0 ? 60 : 3));
                up[i] = (float) rnd.nextGaussian();
            }
            float[] vector = gate.clone();
            VectorDot.swiglu(vector, up);
            for (int i = 0; i < n; i++) {
                float g = gate[i];
                float scalar = g / (1f + Dot.exp(-g)) * up[i];
                assertEquals(Float.floatToIntBits(scalar), Float.floatToIntBits(vector[i]), "swiglu at " + i + " of " + n);
                float reference = (float) (g / (1 + Math.exp(-g)) * up[i]);
                assertEquals(reference, vector[i], 4 * Math.ulp(reference) + 1e-30f, "swiglu(" + g + ")");
            }
        }
        for (int headDim : new int[] {64, 6, 13}) {
            for (int count : new int[] {16, 1, 7}) {
                int stride = 16;
                float[] q = random(rnd, headDim + 3);
                float[] k = random(rnd, 5 + headDim * stride);
                float[] a = new float[40];
                float[] b = new float[40];
                Dot.scalarBlockScores(q, 3, k, 5, stride, count, headDim, 0.125f, a, 5);
                VectorDot.blockScores(q, 3, k, 5, stride, count, headDim, 0.125f, b, 5);
                assertEquals(Arrays.toString(a), Arrays.toString(b), "scores " + headDim + "/" + count);

                float[] p = random(rnd, count + 2);
                float[] v = random(rnd, count * 3 * headDim + 7);
                float[] o1 = random(new Random(headDim), headDim + 4);
                float[] o2 = o1.clone();
                Dot.scalarWeightedSum(o1, 4, p, 2, v, 7, 3 * headDim, count, headDim);
                VectorDot.weightedSum(o2, 4, p, 2, v, 7, 3 * headDim, count, headDim);
                assertEquals(Arrays.toString(o1), Arrays.toString(o2), "values " + headDim + "/" + count);
            }
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
