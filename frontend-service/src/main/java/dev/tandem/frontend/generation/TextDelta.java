package dev.tandem.frontend.generation;

/**
 * New text of a response. {@code finishReason} ({@code stop} or {@code length}) is set on the last delta only;
 * {@code completionTokens} counts the tokens generated so far.
 */
public record TextDelta(String text, String finishReason, int completionTokens) {

    public boolean finished() {
        return finishReason != null;
    }
}
