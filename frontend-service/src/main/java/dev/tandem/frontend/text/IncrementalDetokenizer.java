package dev.tandem.frontend.text;

import dev.tandem.tokenizer.Tokenizer;

/**
 * Turns generated token ids into text as they arrive, never splitting a UTF-8 character. Output is
 * the tokens' bytes as they are: a leading space of the first token is kept, because a completion
 * continues its prompt. Not thread-safe: one per generation.
 */
public final class IncrementalDetokenizer {

    private final Tokenizer tokenizer;
    private final Utf8StreamDecoder decoder = new Utf8StreamDecoder();

    public IncrementalDetokenizer(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The text this token completes; "" for control tokens or while a character is incomplete. */
    public String push(int tokenId) {
        return decoder.push(tokenizer.tokenBytes(tokenId));
    }

    /** The text still held back at the end of generation; an incomplete character becomes U+FFFD. */
    public String flush() {
        return decoder.flush();
    }
}
