package dev.tandem.engine.kv;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Reserving KV blocks when the pool may be full for a while: blocks come back as other sequences finish or their
 * KV is pulled, so a reservation that fails is retried, parked between tries, until it succeeds, the caller gives
 * up or the timeout passes. Both workers wait this way: prefill for handles to be pulled, decode for running
 * sequences to free room for a transferred KV (whose cached prefix it takes first, as a prompt's).
 */
public final class KvReservation {

    public enum Outcome {
        RESERVED,
        CANCELLED,
        TIMED_OUT
    }

    /** Between tries: short against a prefill or a decode step, long against a spinning thread. */
    private static final long POLL_NANOS = 2_000_000;

    private final KvBlockPool pool;
    private final Duration timeout;

    public KvReservation(KvBlockPool pool, Duration timeout) {
        this.pool = pool;
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * One try at admitting a prompt: the empty {@code sequence} takes the prompt's cached prefix (its length is then
     * the cached tokens) and blocks for the rest; false, the sequence holding nothing, when the pool cannot hold it now.
     */
    public boolean tryPrompt(KvSequence sequence, int[] prompt) {
        pool.reuseCachedPrefix(sequence, prompt);
        if (pool.reserve(sequence, prompt.length)) {
            return true;
        }
        pool.free(sequence);
        return false;
    }

    /** {@link #tryPrompt} until it succeeds, {@code cancelled} says so or the timeout passes. */
    public Outcome awaitPrompt(KvSequence sequence, int[] prompt, BooleanSupplier cancelled) {
        return await(() -> tryPrompt(sequence, prompt), cancelled);
    }

    private Outcome await(BooleanSupplier attempt, BooleanSupplier cancelled) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!attempt.getAsBoolean()) {
            if (cancelled.getAsBoolean()) {
                return Outcome.CANCELLED;
            }
            if (System.nanoTime() - deadline > 0) {
                return Outcome.TIMED_OUT;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return Outcome.RESERVED;
    }
}
