package dev.tandem.model.engine;

/**
 * Rotary position embedding in ggml's "normal" mode: adjacent pairs (x[2i], x[2i+1]) are rotated
 * by pos·base^(-2i/n). llama.cpp's converter permutes the Q/K rows of HF Llama weights so that this,
 * not the NeoX half-split rotation, is right for llama GGUFs. The angle is built up in float the
 * way ggml_rope_cache_init does, to stay within rounding of the reference.
 */
final class Rope {

    private final int pairs;
    private final float thetaScale;
    private final float freqScale;
    private final float[] freqFactors;

    Rope(int ropeDims, float freqBase, float freqScale, float[] freqFactors) {
        this.pairs = ropeDims / 2;
        this.thetaScale = (float) Math.pow(freqBase, -2.0f / ropeDims);
        this.freqScale = freqScale;
        this.freqFactors = freqFactors;
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
            for (int i = 0; i < pairs; i++) {
                int j = base + 2 * i;
                float x0 = x[j];
                float x1 = x[j + 1];
                x[j] = x0 * cos[i] - x1 * sin[i];
                x[j + 1] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}
