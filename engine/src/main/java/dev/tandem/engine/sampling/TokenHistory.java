package dev.tandem.engine.sampling;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;

/**
 * The tokens of one sequence that penalties look at, and the index of the next token to sample (which, with
 * the seed, fixes its random draw). Prefill and decode workers rebuild it from the prompt and the tokens
 * generated so far, so a sequence samples the same wherever its steps run.
 */
public final class TokenHistory {

    private final BitSet seen = new BitSet();
    private final Map<Integer, Integer> generatedCounts = new HashMap<>();
    private int generated;

    private TokenHistory() {
    }

    public static TokenHistory ofPrompt(int[] prompt) {
        TokenHistory history = new TokenHistory();
        for (int token : prompt) {
            history.seen.set(token);
        }
        return history;
    }

    /**
     * The history of a migrated request, whose last {@code generated} context tokens were generated for it before:
     * those count as generated (penalties, and the step of the next draw), as they did where they were sampled.
     */
    public static TokenHistory resumed(int[] context, int generated) {
        if (generated < 0 || generated > context.length) {
            throw new IllegalArgumentException("generated tokens " + generated + " outside the context's " + context.length);
        }
        TokenHistory history = ofPrompt(java.util.Arrays.copyOf(context, context.length - generated));
        for (int i = context.length - generated; i < context.length; i++) {
            history.add(context[i]);
        }
        return history;
    }

    /** Records a generated token. */
    public void add(int token) {
        seen.set(token);
        generatedCounts.merge(token, 1, Integer::sum);
        generated++;
    }

    /** Tokens generated so far: the step index of the next one. */
    public int generated() {
        return generated;
    }

    void forEachSeen(IntConsumer action) {
        seen.stream().forEach(action);
    }

    void forEachGenerated(BiConsumer<Integer, Integer> action) {
        generatedCounts.forEach(action);
    }
}
