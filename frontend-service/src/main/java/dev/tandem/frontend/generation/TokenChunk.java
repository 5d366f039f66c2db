package dev.tandem.frontend.generation;

import java.util.List;

import dev.tandem.protocol.grpc.FinishReason;

/** Tokens as they come back from the workers; the finish reason is set on the last chunk only. */
public record TokenChunk(List<Integer> tokenIds, FinishReason finishReason) {

    public boolean finished() {
        return finishReason != FinishReason.FINISH_REASON_UNSPECIFIED;
    }
}
