package dev.tandem.frontend.generation;

import java.util.List;

import dev.tandem.protocol.grpc.TokenLogprob;

/**
 * New text of a response. {@code finishReason} ({@code stop} or {@code length}) is set on the last delta only;
 * {@code completionTokens} counts the tokens generated so far. {@code tokens} are the tokens whose text this delta
 * completes, each with its logprobs when the request asked for them (empty otherwise).
 */
public record TextDelta(String text, String finishReason, int completionTokens, List<Token> tokens) {

    /** A generated token and its logprobs, null when none were asked for. */
    public record Token(int id, TokenLogprob logprob) {
    }

    public TextDelta {
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
    }

    public TextDelta(String text, String finishReason, int completionTokens) {
        this(text, finishReason, completionTokens, List.of());
    }

    public boolean finished() {
        return finishReason != null;
    }
}
