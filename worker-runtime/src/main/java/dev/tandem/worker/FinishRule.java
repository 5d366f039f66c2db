package dev.tandem.worker;

import java.util.Optional;

import dev.tandem.engine.sampling.SamplingParams;
import dev.tandem.engine.sampling.TokenConstraint;
import dev.tandem.tokenizer.Tokenizer;

/** When a sequence stops growing: the rules prefill and decode workers must agree on. */
public final class FinishRule {

    public enum Reason {
        /** An end-of-generation or stop token was sampled. */
        STOP,
        /** {@code max_tokens} generated, or the context is full. */
        LENGTH
    }

    private final Tokenizer tokenizer;
    private final int contextLength;

    public FinishRule(Tokenizer tokenizer, int contextLength) {
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
    }

    /**
     * @param token the token just sampled
     * @param generated tokens generated so far, this one included
     * @param sequenceLength prompt plus generated tokens, this one included
     */
    public Optional<Reason> check(int token, int generated, int sequenceLength, SamplingParams sampling) {
        if (!sampling.ignoreEos() && tokenizer.isEndOfGeneration(token) || isStopTokenId(token, sampling)) {
            return Optional.of(Reason.STOP);
        }
        if (generated >= sampling.maxTokens() || sequenceLength >= contextLength) {
            return Optional.of(Reason.LENGTH);
        }
        return Optional.empty();
    }

    /** As {@link #check}; a sequence whose constraint is complete (its JSON closed) stops too. */
    public Optional<Reason> check(int token, int generated, int sequenceLength, SamplingParams sampling,
            TokenConstraint constraint) {
        Optional<Reason> reason = check(token, generated, sequenceLength, sampling);
        if (constraint != null && constraint.isComplete() && reason.orElse(null) != Reason.STOP) {
            return Optional.of(Reason.STOP);
        }
        return reason;
    }

    private static boolean isStopTokenId(int token, SamplingParams sampling) {
        for (int stop : sampling.stopTokenIds()) {
            if (stop == token) {
                return true;
            }
        }
        return false;
    }
}
