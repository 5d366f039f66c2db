package dev.tandem.engine;

/**
 * Numerics of the attention over the KV cache. Storage is float32 either way.
 */
public enum KvPrecision {
    /** K, V, Q and attention weights stay float32: the most exact. */
    F32,
    /**
     * K and V are rounded to half precision when stored, and Q and the attention weights when
     * multiplied with them: what llama.cpp computes with its default F16 KV cache (no flash
     * attention). The reference logits in shared/golden match this about 10× closer than
     * {@link #F32}, which makes it the sharper regression check for F32 models.
     */
    F16_ROUNDED
}
