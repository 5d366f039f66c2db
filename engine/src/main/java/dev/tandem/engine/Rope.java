package dev.tandem.engine;

import dev.tandem.model.RopeStyle;

/**
 * Rotary position embedding: pair i of each head is rotated by pos·base^(-2i/n). In ggml's
 * "normal" mode (llama) pair i is (x[2i], x[2i+1]): llama.cpp's converter permutes the Q/K rows of
 * HF Llama weights so that this, not the NeoX half-split rotation, is right for llama GGUFs. In
 * NeoX mode (qwen2) pair i is (x[i], x[i + n/2]). The angle is built up in float the way
 * ggml_rope_cache_init does, to stay within rounding of the reference.
 */
public final class Rope {

    private final int pairs;
    private final RopeStyle style;
    private final float thetaScale;
    private final float freqScale;
    private final float[] freqFactors;

    Rope(RopeStyle style, int ropeDims, float freqBase, float freqScale, float[] freqFactors) {
        this.style = style;
        this.pairs = ropeDims / 2;
        this.thetaScale = thetaScale(freqBase, ropeDims);
        this.freqScale = freqScale;
        this.freqFactors = freqFactors;
    }

    /** The factor between the angles of consecutive pairs, base^(-2/dims), as ggml computes it. */
    public static float thetaScale(float freqBase, int ropeDims) {
        return (float) Math.pow(freqBase, -2.0f / ropeDims);
    }

    /** Fills cos/sin [0, pairs) for one position. */
    void angles(int position, float[] cos, float[] sin) {
        float theta = position;
        for (int i = 0; i < pairs; i++) {
            float ff = freqFactors != null ? freqFactors[i] : 1f;
            float angle = freqScale * (theta / ff);
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
            theta *= thetaScale;
        }
    }

    int pairs() {
        return pairs;
    }

    /** Rotates every head of {@code x} (heads of {@code headDim} values) in place. */
    void rotate(float[] x, int heads, int headDim, float[] cos, float[] sin) {
        for (int h = 0; h < heads; h++) {
            int base = h * headDim;
            // The two elements of pair i: adjacent (normal) or half a rotation width apart (NeoX).
            int stride = style == RopeStyle.NEOX ? pairs : 1;
            for (int i = 0; i < pairs; i++) {
                int j0 = style == RopeStyle.NEOX ? base + i : base + 2 * i;
                int j1 = j0 + stride;
                float x0 = x[j0];
                float x1 = x[j1];
                x[j0] = x0 * cos[i] - x1 * sin[i];
                x[j1] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}
