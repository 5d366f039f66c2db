package dev.tandem.decode.batching;

import dev.tandem.engine.sampling.LogProbs;
import dev.tandem.worker.FinishRule;

/** Where a sequence's tokens go, from the batch loop's thread. */
public interface TokenSink {

    /**
     * Before the first token: time spent waiting for a batch slot or KV blocks, and in the prompt here; the prompt
     * tokens computed here and those found in the prefix cache (both 0 when the KV was transferred).
     */
    void started(long queueMicros, long prefillMicros, int computedTokens, int cachedTokens);

    /**
     * @param stepMicros time of the engine step (or prefill) that produced the token
     * @param batchSize sequences in that step
     */
    void token(int tokenId, long stepMicros, int batchSize);

    /** A token with its logprobs, when the request asked for them ({@code logprobs} is null otherwise). */
    default void token(int tokenId, LogProbs logprobs, long stepMicros, int batchSize) {
        token(tokenId, stepMicros, batchSize);
    }

    /** The last call for a sequence that ended normally. */
    void finish(FinishRule.Reason reason);

    /** The last call for a sequence that could not be run, or was cancelled. */
    void fail(SequenceFailure failure);
}
