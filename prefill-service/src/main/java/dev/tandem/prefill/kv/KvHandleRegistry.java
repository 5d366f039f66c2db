package dev.tandem.prefill.kv;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.prefill.config.PrefillConfig;
import dev.tandem.protocol.ChoiceIds;
import dev.tandem.worker.WorkerRuntime;

/**
 * Prefilled KV waiting for decode workers to pull it. A handle serves as many pulls as it was held for (one per
 * choice of the request that goes on decoding); it leaves the registry with its last pull, when its request is
 * cancelled under any of its choices' ids, or when it is not pulled in time. Its blocks are freed once it has left
 * and no pull is still streaming them.
 */
@ApplicationScoped
public class KvHandleRegistry {

    private static final Logger LOG = Logger.getLogger(KvHandleRegistry.class);

    /** The KV of a handle, lent to one pull: {@link #close} when the transfer ends, however it ends. */
    public static final class Pull implements AutoCloseable {

        private final Held held;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Pull(Held held) {
            this.held = held;
        }

        public KvSequence sequence() {
            return held.sequence;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true) && held.transferEnded()) {
                held.pool.free(held.sequence);
            }
        }
    }

    /** A held KV and the pulls it still owes; its blocks are freed when none is owed or streaming. */
    private static final class Held {

        final String handleId;
        final String requestId;
        final int choices;
        final KvSequence sequence;
        final KvBlockPool pool;
        final long expiresAtNanos;
        private int unclaimed;
        private int streaming;

        Held(String handleId, String requestId, int choices, KvSequence sequence, KvBlockPool pool, int pulls,
                long expiresAtNanos) {
            this.handleId = handleId;
            this.requestId = requestId;
            this.choices = choices;
            this.sequence = sequence;
            this.pool = pool;
            this.unclaimed = pulls;
            this.expiresAtNanos = expiresAtNanos;
        }

        /** Starts one of the owed pulls; false when none is owed any more. */
        synchronized boolean claim() {
            if (unclaimed == 0) {
                return false;
            }
            unclaimed--;
            streaming++;
            return true;
        }

        synchronized boolean allClaimed() {
            return unclaimed == 0;
        }

        /** One pull ended; true when the blocks are no longer needed. */
        synchronized boolean transferEnded() {
            streaming--;
            return unclaimed == 0 && streaming == 0;
        }

        /** No further pull will be served; true when the blocks are no longer needed (and were not already). */
        synchronized boolean withdraw() {
            if (unclaimed == 0) {
                return false; // its last pull was claimed: that pull frees the blocks
            }
            unclaimed = 0;
            return streaming == 0;
        }
    }

    private final ConcurrentMap<String, Held> handles = new ConcurrentHashMap<>();
    private final KvBlockPool pool;
    private final long timeoutNanos;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("kv-handle-sweeper").daemon().factory());

    @Inject
    public KvHandleRegistry(WorkerRuntime runtime, PrefillConfig config) {
        this(runtime.pool(), config.kvHandleTimeout());
    }

    KvHandleRegistry(KvBlockPool pool, Duration timeout) {
        this.pool = pool;
        this.timeoutNanos = timeout.toNanos();
        long period = Math.max(100, timeout.toMillis() / 4);
        sweeper.scheduleWithFixedDelay(this::expire, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Holds {@code sequence} for {@code pulls} pulls (at least one) by the choices of request {@code requestId}.
     *
     * @param choices the request's choices, whose ids ({@link ChoiceIds}) may cancel it
     */
    public String hold(String requestId, int choices, KvSequence sequence, int pulls) {
        if (pulls < 1) {
            throw new IllegalArgumentException("a handle is held for at least one pull, not " + pulls);
        }
        String handleId = UUID.randomUUID().toString();
        handles.put(handleId, new Held(handleId, requestId, choices, sequence, pool, pulls, System.nanoTime() + timeoutNanos));
        return handleId;
    }

    /** Starts a pull of a handle; empty when it is unknown, pulled as often as it was held for, cancelled or expired. */
    public Optional<Pull> take(String handleId) {
        Held held = handles.get(handleId);
        if (held == null || !held.claim()) {
            return Optional.empty();
        }
        if (held.allClaimed()) {
            handles.remove(handleId, held);
        }
        return Optional.of(new Pull(held));
    }

    /** Frees the KV held for the request that {@code id} names (its own id or a choice's); true when there was any. */
    public boolean release(String id) {
        boolean found = false;
        for (Held held : handles.values()) {
            if (ChoiceIds.belongsTo(id, held.requestId, held.choices) && handles.remove(held.handleId, held)) {
                withdraw(held);
                found = true;
            }
        }
        return found;
    }

    public int pending() {
        return handles.size();
    }

    private void withdraw(Held held) {
        if (held.withdraw()) {
            pool.free(held.sequence);
        }
    }

    private void expire() {
        long now = System.nanoTime();
        for (Held held : handles.values()) {
            if (now - held.expiresAtNanos > 0 && handles.remove(held.handleId, held)) {
                LOG.warnf("KV handle %s of request %s was not pulled in time; freeing %d tokens of KV",
                        held.handleId, held.requestId, held.sequence.length());
                withdraw(held);
            }
        }
    }

    @PreDestroy
    void releaseAll() {
        sweeper.shutdownNow();
        handles.values().forEach(this::withdraw);
        handles.clear();
    }
}
