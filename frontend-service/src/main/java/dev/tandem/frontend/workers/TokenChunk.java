package dev.tandem.frontend.workers;

import java.util.List;

import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.protocol.grpc.TokenLogprob;

/**
 * Tokens as they come back from the workers; the finish reason is set on the last chunk only, the prompt tokens the
 * worker that ran the prompt found in its prefix cache on the first only. {@code logprobs} holds one entry per token
 * when the request asked for logprobs, none otherwise.
 */
public record TokenChunk(List<Integer> tokenIds, FinishReason finishReason, int cachedTokens,
        List<TokenLogprob> logprobs) {

    public TokenChunk {
        logprobs = logprobs == null ? List.of() : logprobs;
    }

    public TokenChunk(List<Integer> tokenIds, FinishReason finishReason, int cachedTokens) {
        this(tokenIds, finishReason, cachedTokens, List.of());
    }

    public boolean finished() {
        return finishReason != FinishReason.FINISH_REASON_UNSPECIFIED;
    }
}
