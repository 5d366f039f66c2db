package dev.tandem.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** vLLM's penalty semantics, on hand-computed logits. */
class PenaltiesTest {

    @Test
    void repetitionPenaltyShrinksTheLogitsOfSeenTokensTowardsLessLikely() {
        TokenHistory history = TokenHistory.ofPrompt(new int[] {0});
        history.add(1);
        float[] logits = {2f, -2f, 3f};
        new Penalties(2f, 0f, 0f, Map.of()).apply(logits, history);
        assertArrayEquals(new float[] {1f, -4f, 3f}, logits); // token 2 was never seen
    }

    @Test
    void frequencyAndPresencePenalisePerGeneratedOccurrenceOnly() {
        TokenHistory history = TokenHistory.ofPrompt(new int[] {2}); // prompt tokens are not penalised by these
        history.add(0);
        history.add(0);
        history.add(1);
        float[] logits = {5f, 5f, 5f};
        new Penalties(1f, 1f, 0.5f, Map.of()).apply(logits, history);
        assertArrayEquals(new float[] {5f - 2f - 0.5f, 5f - 1f - 0.5f, 5f}, logits);
    }

    @Test
    void logitBiasIsAddedAndIdsOutsideTheVocabularyAreIgnored() {
        float[] logits = {0f, 0f};
        new Penalties(1f, 0f, 0f, Map.of(1, 100f, 9, 5f)).apply(logits, TokenHistory.ofPrompt(new int[0]));
        assertArrayEquals(new float[] {0f, 100f}, logits);
    }

    @Test
    void greedySamplingSeesThePenalties() {
        SamplingParams params = new SamplingParams(0f, 1f, 0, 0f, null, 4, false, null,
                new Penalties(1f, 0f, 0f, Map.of(2, 10f)));
        TokenHistory history = TokenHistory.ofPrompt(new int[] {0});
        assertEquals(2, new Sampler().sample(new float[] {3f, 1f, 0f}, params, 1L, history));
    }

    @Test
    void theHistoryCountsTheStepOfTheNextDraw() {
        TokenHistory history = TokenHistory.ofPrompt(new int[] {4, 5, 6});
        assertEquals(0, history.generated());
        history.add(3);
        assertEquals(1, history.generated());
    }
}
