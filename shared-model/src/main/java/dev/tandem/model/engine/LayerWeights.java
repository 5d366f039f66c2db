package dev.tandem.model.engine;

/** The weights of one transformer block. Norm weights are small, so they are copied to float[]. */
public record LayerWeights(
        float[] attnNorm,
        FloatMatrix wq,
        FloatMatrix wk,
        FloatMatrix wv,
        FloatMatrix wo,
        float[] ffnNorm,
        FloatMatrix ffnGate,
        FloatMatrix ffnUp,
        FloatMatrix ffnDown) {
}
