package dev.tandem.prefill.kv;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.worker.WorkerRuntime;
import dev.tandem.prefill.config.PrefillConfig;

/**
 * Prefilled KV waiting for a decode worker to pull it. A handle leaves the registry when it is pulled, when
 * its request is cancelled, or when nobody pulls it in time; whoever takes it out frees its blocks.
 */
@ApplicationScoped
public class KvHandleRegistry {

    private static final Logger LOG = Logger.getLogger(KvHandleRegistry.class);

    public record HeldKv(String handleId, String requestId, KvSequence sequence, long expiresAtNanos) {
    }

    private final ConcurrentMap<String, HeldKv> handles = new ConcurrentHashMap<>();
    private final KvBlockPool pool;
    private final long timeoutNanos;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("kv-handle-sweeper").daemon().factory());

    public KvHandleRegistry(WorkerRuntime runtime, PrefillConfig config) {
        this.pool = runtime.pool();
        this.timeoutNanos = config.kvHandleTimeout().toNanos();
        long period = Math.max(100, config.kvHandleTimeout().toMillis() / 4);
        sweeper.scheduleWithFixedDelay(this::expire, period, period, TimeUnit.MILLISECONDS);
    }

    public String hold(String requestId, KvSequence sequence) {
        String handleId = UUID.randomUUID().toString();
        handles.put(handleId, new HeldKv(handleId, requestId, sequence, System.nanoTime() + timeoutNanos));
        return handleId;
    }

    /** Takes a handle out for transfer; the caller frees its blocks when the transfer ends. */
    public Optional<HeldKv> take(String handleId) {
        return Optional.ofNullable(handles.remove(handleId));
    }

    /** Frees the KV held for a request; true when there was any. */
    public boolean release(String requestId) {
        boolean found = false;
        for (HeldKv held : handles.values()) {
            if (held.requestId().equals(requestId) && handles.remove(held.handleId(), held)) {
                pool.free(held.sequence());
                found = true;
            }
        }
        return found;
    }

    public int pending() {
        return handles.size();
    }

    private void expire() {
        long now = System.nanoTime();
        for (HeldKv held : handles.values()) {
            if (now - held.expiresAtNanos() > 0 && handles.remove(held.handleId(), held)) {
                pool.free(held.sequence());
                LOG.warnf("KV handle %s of request %s was not pulled in time; freed %d tokens of KV",
                        held.handleId(), held.requestId(), held.sequence().length());
            }
        }
    }

    @PreDestroy
    void releaseAll() {
        sweeper.shutdownNow();
        handles.values().forEach(held -> pool.free(held.sequence()));
        handles.clear();
    }
}
