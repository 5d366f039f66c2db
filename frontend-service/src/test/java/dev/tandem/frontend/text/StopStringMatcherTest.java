package dev.tandem.frontend.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {

    private static StopStringMatcher.Result pass(String emit) {
        return new StopStringMatcher.Result(emit, false);
    }

    private static StopStringMatcher.Result stop(String emit) {
        return new StopStringMatcher.Result(emit, true);
    }

    @Test
    void withoutStopStringsEverythingPasses() {
        StopStringMatcher matcher = new StopStringMatcher(List.of());
        assertEquals(pass("Once upon"), matcher.push("Once upon"));
        assertEquals("", matcher.flush());
    }

    @Test
    void stopSplitAcrossThreeDeltas() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("THE END"));
        assertEquals(pass("happily "), matcher.push("happily TH"));
        assertEquals(pass(""), matcher.push("E E"));
        assertEquals(stop(""), matcher.push("ND and more"));
        assertEquals("", matcher.flush());
    }

    @Test
    void textBeforeTheStopInTheSameDeltaIsEmitted() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("\n\n"));
        assertEquals(stop("Lily."), matcher.push("Lily.\n\nOnce"));
    }

    @Test
    void heldTextThatTurnsOutNotToBeAStopIsReleased() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("</s>"));
        assertEquals(pass("a "), matcher.push("a </"));
        assertEquals(pass("</b> c"), matcher.push("b> c"));
    }

    @Test
    void heldTextIsFlushedAtTheEnd() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("User:"));
        assertEquals(pass("bye "), matcher.push("bye Us"));
        assertEquals("Us", matcher.flush());
    }

    @Test
    void overlappingCandidatesHoldTheLongestPossibleStart() {
        // "aab" ends in "ab" (may begin "abc") and in "b" (may begin "bcd"): hold the longer.
        StopStringMatcher matcher = new StopStringMatcher(List.of("abc", "bcd"));
        assertEquals(pass("a"), matcher.push("aab"));
        assertEquals(stop(""), matcher.push("cd"));
    }

    @Test
    void aStopInsideAnotherCandidateStillStops() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("xyz!", "y"));
        assertEquals(stop("x"), matcher.push("xy"));
    }

    @Test
    void theEarliestOfSeveralStopsWins() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("world", "lo"));
        assertEquals(stop("hel"), matcher.push("hello world"));
    }

    @Test
    void stopAtTheVeryStart() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("\n"));
        assertEquals(stop(""), matcher.push("\nrest"));
    }

    @Test
    void afterAStopNothingMoreIsEmitted() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("."));
        assertEquals(stop("Done"), matcher.push("Done. More"));
        assertEquals(stop(""), matcher.push("even more"));
        assertEquals("", matcher.flush());
    }

    @Test
    void characterByCharacter() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("<|im_end|>"));
        StringBuilder emitted = new StringBuilder();
        boolean stopped = false;
        for (char c : "Hi <|im_e there<|im_end|>junk".toCharArray()) {
            StopStringMatcher.Result result = matcher.push(String.valueOf(c));
            emitted.append(result.emit());
            if (result.stopped()) {
                stopped = true;
                break;
            }
        }
        assertEquals(true, stopped);
        assertEquals("Hi <|im_e there", emitted.toString());
    }
}
