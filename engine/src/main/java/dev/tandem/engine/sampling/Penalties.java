package dev.tandem.engine.sampling;

import java.util.Map;

/**
 * Adjustments to the logits before a token is picked, with vLLM's semantics: the repetition penalty divides
 * a positive logit (multiplies a negative one) of every token seen in the prompt or the output; frequency and
 * presence penalties subtract {@code frequency × count + presence} for every token already generated; the
 * logit bias is added as given.
 *
 * @param repetition 1 = off
 * @param frequency  0 = off
 * @param presence   0 = off
 * @param logitBias  token id → bias, empty = off
 */
public record Penalties(float repetition, float frequency, float presence, Map<Integer, Float> logitBias) {

    public static final Penalties NONE = new Penalties(1f, 0f, 0f, Map.of());

    public Penalties {
        if (!(repetition > 0) || Float.isInfinite(repetition)) {
            throw new IllegalArgumentException("repetition_penalty must be a finite number > 0, got " + repetition);
        }
        if (!Float.isFinite(frequency) || !Float.isFinite(presence)) {
            throw new IllegalArgumentException("frequency_penalty and presence_penalty must be finite numbers");
        }
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
    }

    public boolean isNone() {
        return repetition == 1f && frequency == 0f && presence == 0f && logitBias.isEmpty();
    }

    /** Applies the penalties to {@code logits} in place. */
    void apply(float[] logits, TokenHistory history) {
        if (repetition != 1f) {
            history.forEachSeen(id -> logits[id] = logits[id] > 0 ? logits[id] / repetition : logits[id] * repetition);
        }
        if (frequency != 0f || presence != 0f) {
            history.forEachGenerated((id, count) -> logits[id] -= frequency * count + presence);
        }
        logitBias.forEach((id, bias) -> {
            if (id >= 0 && id < logits.length) {
                logits[id] += bias;
            }
        });
    }
}
