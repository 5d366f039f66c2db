package dev.tandem.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

class ExpTest {

    @Test
    void vectorsAndScalarsGiveTheSameBitsCloseToMathExp() {
        Random r = new Random(7);
        float[] x = new float[4099];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 20);
        }
        x[0] = Float.NEGATIVE_INFINITY;
        x[1] = -1000f;
        x[2] = -87.3f;
        float max = VectorSampling.max(x);
        float[] out = new float[x.length];
        Exp.shifted(x, max, 1f / 0.7f, out);
        for (int i = 0; i < x.length; i++) {
            float a = (x[i] - max) * (1f / 0.7f);
            assertEquals(Float.floatToRawIntBits(Exp.exp(a)), Float.floatToRawIntBits(out[i]), "x = " + x[i]);
            double exact = Math.exp(a);
            if (exact > 1e-37) {
                assertTrue(Math.abs(out[i] - exact) <= 3e-7 * exact, a + ": " + out[i] + " vs " + exact);
            } else {
                assertTrue(out[i] < 2e-37f, a + ": " + out[i]);
            }
        }
        assertEquals(1f, Exp.exp(0f));
        assertEquals(0f, out[0]);
    }

    @Test
    void argmaxIsTheFirstLargest() {
        float[] x = new float[1000];
        x[17] = 3f;
        x[600] = 3f;
        assertEquals(17, Sampler.argmax(x));
        x[999] = 4f;
        assertEquals(999, Sampler.argmax(x));
        x[5] = Float.NaN;
        assertEquals(999, Sampler.argmax(x));
    }
}
