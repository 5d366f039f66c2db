package dev.tandem.decode.grpc;

import dev.tandem.decode.batching.SequenceFailure;
import io.grpc.Status;

/** The gRPC status a caller sees for a sequence the batcher refused or ended early. */
final class FailureStatus {

    private FailureStatus() {
    }

    static Status of(SequenceFailure failure) {
        Status status = switch (failure.kind()) {
            case TOO_LARGE -> Status.INVALID_ARGUMENT;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case CANCELLED -> Status.CANCELLED;
            case ENGINE_FAILED -> Status.INTERNAL;
        };
        return status.withDescription(failure.description());
    }
}
