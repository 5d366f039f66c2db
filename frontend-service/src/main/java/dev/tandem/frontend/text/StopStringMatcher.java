package dev.tandem.frontend.text;

import java.util.List;

/**
 * Finds the request's stop strings in streamed text that may split them across any chunk
 * boundaries. Text is released as soon as it can no longer be the start of a stop string; on a match
 * the text before it is released and the stop string itself is dropped, as OpenAI does. Not
 * thread-safe: one per generation.
 */
public final class StopStringMatcher {

    /**
     * @param emit    text that is final and may be sent to the client
     * @param stopped a stop string matched: generation must end and later text be discarded
     */
    public record Result(String emit, boolean stopped) {
    }

    private static final Result NOTHING_MORE = new Result("", true);

    private final List<String> stops;
    private String held = "";
    private boolean stopped;

    /** @param stops non-empty strings; an empty list matches nothing */
    public StopStringMatcher(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    public Result push(String delta) {
        if (stopped) {
            return NOTHING_MORE;
        }
        String text = held + delta;
        int match = earliestMatch(text);
        if (match >= 0) {
            stopped = true;
            held = "";
            return new Result(text.substring(0, match), true);
        }
        int keep = longestStopPrefixAtEnd(text);
        held = text.substring(text.length() - keep);
        return new Result(text.substring(0, text.length() - keep), false);
    }

    /** Releases the held-back text at the end of generation ("" after a stop). */
    public String flush() {
        String rest = held;
        held = "";
        return rest;
    }

    private int earliestMatch(String text) {
        int earliest = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
            }
        }
        return earliest;
    }

    /**
     * Length of the longest end of {@code text} that begins some stop string. Holding exactly that
     * much back is enough: any later match must start inside it.
     */
    private int longestStopPrefixAtEnd(String text) {
        int longest = 0;
        for (String stop : stops) {
            for (int length = Math.min(stop.length() - 1, text.length()); length > longest; length--) {
                if (text.regionMatches(text.length() - length, stop, 0, length)) {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }
}
