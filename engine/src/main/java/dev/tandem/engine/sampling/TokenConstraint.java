package dev.tandem.engine.sampling;

/**
 * Restricts which tokens a sequence may produce next (structured outputs: a JSON schema's automaton). The sampler
 * consults it before choosing; the caller tells it each token chosen. One per sequence, used by one thread at a time.
 */
public interface TokenConstraint {

    /** Sets the logits of the tokens forbidden next to negative infinity. */
    void mask(float[] logits);

    /** Moves past the token chosen. */
    void accept(int token);

    /** Nothing may follow: the sequence is finished. */
    boolean isComplete();
}
