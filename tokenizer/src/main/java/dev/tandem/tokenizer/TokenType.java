package dev.tandem.tokenizer;

/** Token types as stored in {@code tokenizer.ggml.token_type} (llama.cpp's llama_token_type). */
public enum TokenType {
    UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    public static TokenType fromId(int id) {
        return id >= 0 && id < values().length ? values()[id] : UNDEFINED;
    }

    /** The GGUF id of this type. */
    public int id() {
        return ordinal();
    }

    /** Types whose text is matched in input when special tokens are parsed (control, user-defined, unknown). */
    boolean isSpecial() {
        return this == CONTROL || this == USER_DEFINED || this == UNKNOWN;
    }
}
