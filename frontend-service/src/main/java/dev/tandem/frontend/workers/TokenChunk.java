package dev.tandem.frontend.workers;

import java.util.List;

import dev.tandem.protocol.grpc.FinishReason;

/**
 * Tokens as they come back from the workers; the finish reason is set on the last chunk only, the prompt tokens the
 * worker that ran the prompt found in its prefix cache on the first only.
 */
public record TokenChunk(List<Integer> tokenIds, FinishReason finishReason, int cachedTokens) {

    public boolean finished() {
        return finishReason != FinishReason.FINISH_REASON_UNSPECIFIED;
    }
}
