package dev.tandem.frontend.generation;

/**
 * Hears what happens to one request on its way to the workers: how long its prompt took to prepare, and which
 * workers the routing picks (a retry picks again). The request's telemetry is one; nothing else in this package
 * knows about metrics, spans or logs.
 */
public interface RequestListener {

    /** Hears nothing: for generations whose routing is not a request's own (the choices after the first). */
    RequestListener NONE = new RequestListener() {
        @Override
        public void templated(long nanos) {
        }

        @Override
        public void prepared(int promptTokens, long tokenizeNanos) {
        }

        @Override
        public void dispatched(long routingNanos) {
        }

        @Override
        public void prefillWorker(String workerId) {
        }

        @Override
        public void decodeWorker(String workerId, boolean aggregated) {
        }
    };

    /** The chat template was rendered in {@code nanos}. */
    void templated(long nanos);

    /** The prompt was tokenized into {@code promptTokens} tokens in {@code tokenizeNanos}. */
    void prepared(int promptTokens, long tokenizeNanos);

    /** The request goes out to its first worker, chosen in {@code routingNanos}. */
    void dispatched(long routingNanos);

    void prefillWorker(String workerId);

    /** @param aggregated whether the worker prefills the prompt itself */
    void decodeWorker(String workerId, boolean aggregated);

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
