package dev.tandem.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** A migrated request's history is the one it had where its tokens were generated. */
class ResumedHistoryTest {

    @Test
    void theGeneratedTailCountsAsGenerated() {
        TokenHistory original = TokenHistory.ofPrompt(new int[] {1, 2, 3});
        original.add(7);
        original.add(7);
        original.add(9);
        TokenHistory resumed = TokenHistory.resumed(new int[] {1, 2, 3, 7, 7, 9}, 3);
        assertEquals(original.generated(), resumed.generated());
        assertEquals(counts(original), counts(resumed));
        assertEquals(seen(original), seen(resumed));
        assertEquals(0, TokenHistory.resumed(new int[] {1, 2}, 0).generated());
    }

    @Test
    void seededDrawsGoOnWhereTheyStopped() {
        Sampler sampler = new Sampler();
        SamplingParams params = new SamplingParams(0.9f, 1f, 0, 0f, 42L, 16, false, new int[0],
                new Penalties(1f, 0.5f, 0f, Map.of()));
        float[] logits = new float[32];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.sin(i);
        }
        int[] context = {1, 2, 0, 0, 0, 0};
        TokenHistory original = TokenHistory.ofPrompt(new int[] {1, 2});
        for (int step = 0; step < 4; step++) {
            int token = sampler.sample(logits.clone(), params, 42L, original);
            original.add(token);
            context[2 + step] = token;
        }
        int next = sampler.sample(logits.clone(), params, 42L, original);
        assertEquals(next, sampler.sample(logits.clone(), params, 42L, TokenHistory.resumed(context, 4)));
    }

    private static Map<Integer, Integer> counts(TokenHistory history) {
        Map<Integer, Integer> counts = new TreeMap<>();
        history.forEachGenerated(counts::put);
        return counts;
    }

    private static java.util.Set<Integer> seen(TokenHistory history) {
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        history.forEachSeen(seen::add);
        return seen;
    }
}
