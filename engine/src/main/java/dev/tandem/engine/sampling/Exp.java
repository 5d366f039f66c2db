package dev.tandem.engine.sampling;

import dev.tandem.engine.simd.VectorSupport;

/**
 * The sampler's softmax numerators, {@code out[i] = e^((x[i] − max)·invT)}, vectorised. The exponential is
 * Cephes' {@code expf}: rounding to the nearest power of two, a two-part ln 2, a degree-5 polynomial, the power
 * of two put in the exponent bits; relative error about 2e-7. Only IEEE additions, multiplications, fused
 * multiply-adds and conversions, so the vector and the scalar code give the same bits, interpreted or compiled:
 * a seeded draw is the same in every process. ({@code VectorOperators.EXP} is not: its intrinsic and its
 * fallback round differently.)
 */
final class Exp {

    static final float LOG2E = 1.44269504088896341f;
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float below 2^22 to an integer, round-half-even. */
    static final float ROUNDER = 12582912f;
    /** Below this the result is under the smallest normal float: 0. */
    static final float MIN_ARG = -87.33654f;
    static final float[] POLY = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f,
            1.6666665459e-1f, 5.0000001201e-1f};

    private Exp() {
    }

    /** {@code out[i] = e^((x[i] − max)·invT)} for i in [0, x.length); arguments at most 0 (max is the maximum). */
    static void shifted(float[] x, float max, float invT, float[] out) {
        int i = VectorSupport.ENABLED ? VectorSampling.shifted(x, max, invT, out) : 0;
        for (; i < x.length; i++) {
            out[i] = exp((x[i] - max) * invT);
        }
    }

    /** e^a for a ≤ 0, as each vector lane computes it. */
    static float exp(float a) {
        if (a < MIN_ARG) {
            return 0f;
        }
        float n = (a * LOG2E + ROUNDER) - ROUNDER;
        float r = Math.fma(n, -LN2_HI, a);
        r = Math.fma(n, -LN2_LO, r);
        float p = POLY[0];
        for (int k = 1; k < POLY.length; k++) {
            p = Math.fma(p, r, POLY[k]);
        }
        float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat(((int) n + 127) << 23);
    }
}
