package dev.tandem.frontend.generation;

/**
 * Hears what happens to one request on its way to the workers: how long its prompt took to prepare, and which
 * workers the routing picks (a retry picks again). The request's telemetry is one; nothing else in this package
 * knows about metrics, spans or logs. Every event is ignored unless a listener overrides it.
 */
public interface RequestListener {

    /** Hears nothing: for generations whose routing is not a request's own (the choices after the first). */
    RequestListener NONE = new RequestListener() {
    };

    /** The chat template was rendered in {@code nanos}. */
    default void templated(long nanos) {
    }

    /** The prompt was tokenized into {@code promptTokens} tokens in {@code tokenizeNanos}. */
    default void prepared(int promptTokens, long tokenizeNanos) {
    }

    /** The request goes out to its first worker, chosen in {@code routingNanos}. */
    default void dispatched(long routingNanos) {
    }

    default void prefillWorker(String workerId) {
    }

    /** @param aggregated whether the worker prefills the prompt itself */
    default void decodeWorker(String workerId, boolean aggregated) {
    }

    /**
     * The request's worker was lost after {@code generatedTokens} tokens ({@code reason}); it is sent again, its
     * {@code attempt}-th migration, with those tokens appended to its prompt.
     */
    default void migrating(int attempt, int generatedTokens, String reason) {
    }

    /** The request was not migrated: its sequence, {@code sequenceLength} tokens, exceeds the migration bound. */
    default void migrationMaxSeqLenExceeded(int sequenceLength) {
    }
}
