package dev.tandem.decode.batching;

import dev.tandem.engine.kv.KvSequence;
import dev.tandem.engine.sampling.SamplingParams;
import dev.tandem.engine.sampling.TokenConstraint;

/**
 * A sequence asking to join the batch. Either it brings a prompt to prefill here (aggregated mode), or KV that
 * was prefilled elsewhere and transferred, together with the first token sampled there (disaggregated mode).
 */
public final class SequenceRequest {

    final String requestId;
    final SamplingParams sampling;
    final long seed;
    final TokenSink sink;
    final long submittedAtNanos = System.nanoTime();
    /** The prompt: run here in aggregated mode; in disaggregated mode its KV arrives prefilled. */
    final int[] prompt;
    /** Disaggregated: the transferred KV (length = prompt tokens), once it has arrived, and the token sampled after it. */
    volatile KvSequence prefilled;
    final int firstToken;
    /** A migrated request: the last {@code stepOffset} prompt tokens were generated for it on another worker. */
    int stepOffset;
    volatile boolean cancelled;
    /** Structured output: the tokens allowed next; null = any. */
    TokenConstraint constraint;
    /** Top entries to send with each token's logprob; -1: no logprobs. */
    private volatile int topLogprobs = -1;

    private SequenceRequest(String requestId, SamplingParams sampling, long seed, TokenSink sink, int[] prompt,
            KvSequence prefilled, int firstToken) {
        this.requestId = requestId;
        this.sampling = sampling;
        this.seed = seed;
        this.sink = sink;
        this.prompt = prompt;
        this.prefilled = prefilled;
        this.firstToken = firstToken;
    }

    public static SequenceRequest prompt(String requestId, int[] prompt, SamplingParams sampling, long seed, TokenSink sink) {
        return new SequenceRequest(requestId, sampling, seed, sink, prompt, null, -1);
    }

    /** A sequence whose KV is still to be transferred: {@link #transferred} hands it over. */
    public static SequenceRequest awaitingKv(String requestId, int[] prompt, int firstToken, SamplingParams sampling,
            long seed, TokenSink sink) {
        return new SequenceRequest(requestId, sampling, seed, sink, prompt, null, firstToken);
    }

    /** Restricts the sequence's tokens (its first already accepted in disaggregated mode); null = none. */
    public SequenceRequest constrained(TokenConstraint constraint) {
        this.constraint = constraint;
        return this;
    }

    /** Asks for each generated token's logprob and its {@code top} most likely alternatives; returns this. */
    public SequenceRequest withLogprobs(int top) {
        this.topLogprobs = top;
        return this;
    }

    int topLogprobs() {
        return topLogprobs;
    }

    /**
     * Marks the last {@code generated} prompt tokens as generated for this request before (it migrated here), so its
     * penalties and seeded draws go on where they stopped; set before the request is submitted.
     */
    public SequenceRequest resumedAfter(int generated) {
        this.stepOffset = generated;
        return this;
    }

    public void transferred(KvSequence kv) {
        this.prefilled = kv;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public String requestId() {
        return requestId;
    }

    /** Asks the batch loop to drop the sequence and free its KV at the next step. */
    public void cancel() {
        cancelled = true;
    }
}
