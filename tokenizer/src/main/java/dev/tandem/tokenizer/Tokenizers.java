package dev.tandem.tokenizer;

import dev.tandem.gguf.GgufFile;
import dev.tandem.gguf.GgufMetadata;

/** Builds the tokenizer a GGUF file's {@code tokenizer.ggml.model} names. */
public final class Tokenizers {

    private Tokenizers() {
    }

    public static Tokenizer fromGguf(GgufFile file) {
        return fromMetadata(file.metadata());
    }

    public static Tokenizer fromMetadata(GgufMetadata metadata) {
        Vocabulary vocab = Vocabulary.fromMetadata(metadata);
        return switch (vocab.model()) {
            case "llama" -> new SpmTokenizer(vocab);
            case "gpt2" -> new BpeTokenizer(vocab);
            default -> throw new UnsupportedTokenizerException(
                    "tokenizer model " + vocab.model() + " not supported yet (llama/SentencePiece and gpt2/byte-level BPE are)");
        };
    }
}
