package dev.tandem.engine;

import java.util.List;

/**
 * The weights of one transformer block. Norm weights and biases are small, so they are copied to
 * float[]; the Q/K/V biases are null for Llama and present for Qwen2.
 */
public record LayerWeights(
        float[] attnNorm,
        FloatMatrix wq,
        FloatMatrix wk,
        FloatMatrix wv,
        float[] bq,
        float[] bk,
        float[] bv,
        FloatMatrix wo,
        float[] ffnNorm,
        FloatMatrix ffnGate,
        FloatMatrix ffnUp,
        FloatMatrix ffnDown) {

    /** The block's weight matrices, in the order the forward pass multiplies them. */
    public List<FloatMatrix> matrices() {
        return List.of(wq, wk, wv, wo, ffnGate, ffnUp, ffnDown);
    }
}
