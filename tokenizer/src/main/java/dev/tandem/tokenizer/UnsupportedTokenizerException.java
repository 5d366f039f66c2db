package dev.tandem.tokenizer;

/** The GGUF names a tokenizer model this code does not implement (yet). */
public class UnsupportedTokenizerException extends UnsupportedOperationException {

    public UnsupportedTokenizerException(String message) {
        super(message);
    }
}
