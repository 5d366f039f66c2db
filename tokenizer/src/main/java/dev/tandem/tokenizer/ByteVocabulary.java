package dev.tandem.tokenizer;

/**
 * A byte-level SentencePiece vocabulary as GGUF stores one: {@code <unk>}, {@code <s>}, {@code </s>}, the 256
 * byte tokens, {@code ▁}, then unused tokens up to the size (all scores 0). The synthetic model and the
 * synthetic GGUF files use it: any text tokenizes, byte by byte.
 */
public record ByteVocabulary(String[] tokens, float[] scores, int[] types) {

    /** The 260 tokens every such vocabulary starts with. */
    public static final int BASE_SIZE = 260;

    public static ByteVocabulary of(int size) {
        if (size < BASE_SIZE) {
            throw new IllegalArgumentException("vocabulary of " + size + " is smaller than the " + BASE_SIZE
                    + " byte-level tokens");
        }
        String[] tokens = new String[size];
        int[] types = new int[size];
        tokens[0] = "<unk>";
        types[0] = 2; // unknown
        tokens[1] = "<s>";
        types[1] = 3; // control
        tokens[2] = "</s>";
        types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = 6; // byte
        }
        tokens[259] = "\u2581";
        types[259] = 1; // normal
        for (int i = BASE_SIZE; i < size; i++) {
            tokens[i] = "<unused" + (i - BASE_SIZE) + ">";
            types[i] = 5; // unused
        }
        return new ByteVocabulary(tokens, new float[size], types);
    }
}
