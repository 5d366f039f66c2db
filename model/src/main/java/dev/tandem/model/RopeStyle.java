package dev.tandem.model;

/** Which dimensions RoPE rotates together, by architecture (llama.cpp's llama_model_rope_type). */
public enum RopeStyle {
    /** Adjacent pairs (x[2i], x[2i+1]): llama. */
    NORMAL,
    /** Halves (x[i], x[i + n/2]): qwen2 and other HF-layout models. */
    NEOX;

    /** True for the architectures the engine runs. */
    public static boolean supports(String architecture) {
        return architecture.equals("llama") || architecture.equals("qwen2");
    }

    public static RopeStyle of(String architecture) {
        return switch (architecture) {
            case "llama" -> NORMAL;
            case "qwen2" -> NEOX;
            default -> throw new UnsupportedModelException("model architecture '" + architecture + "' is not supported (llama, qwen2)");
        };
    }
}
