package dev.tandem.decode.batching;

/**
 * Why the batcher refused or ended a sequence before it finished. A domain value: the gRPC edge turns it into a
 * status ({@code dev.tandem.decode.grpc.FailureStatus}), so the scheduling code knows nothing of the transport.
 */
public record SequenceFailure(Kind kind, String description) {

    public enum Kind {
        /** The request could not fit the KV cache even alone: it would wait forever. */
        TOO_LARGE,
        /** The worker is draining or stopped and takes no new work. */
        UNAVAILABLE,
        /** The caller cancelled the request. */
        CANCELLED,
        /** The engine failed on the sequence's step. */
        ENGINE_FAILED
    }

    static SequenceFailure cancelled() {
        return new SequenceFailure(Kind.CANCELLED, "request cancelled");
    }

    /** A draining worker refuses new work; UNAVAILABLE sends the frontend to another worker. */
    public static SequenceFailure shuttingDown() {
        return new SequenceFailure(Kind.UNAVAILABLE, "decode worker is draining");
    }

    /** After the drain's grace period, what still runs is handed back: UNAVAILABLE makes the frontend migrate it. */
    static SequenceFailure handedOver() {
        return new SequenceFailure(Kind.UNAVAILABLE, "decode worker is draining: request handed over");
    }

    static SequenceFailure stopped() {
        return new SequenceFailure(Kind.UNAVAILABLE, "decode worker stopped");
    }

    static SequenceFailure engineFailed(String step, RuntimeException cause) {
        return new SequenceFailure(Kind.ENGINE_FAILED, step + " failed: " + cause.getMessage());
    }
}
