package dev.tandem.worker.health;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * A worker's health as Dynamo's system status server reports it: ready once the engine is loaded, not ready
 * again once shutdown begins.
 */
@ApplicationScoped
public class WorkerHealth {

    /** Dynamo's workers serve one endpoint, {@code generate}; dashboards and probes key on that name. */
    public static final String ENDPOINT = "generate";

    private final long startedAtNanos = System.nanoTime();
    private final AtomicBoolean ready = new AtomicBoolean();

    public void markReady() {
        ready.set(true);
    }

    public void markNotReady() {
        ready.set(false);
    }

    public boolean isReady() {
        return ready.get();
    }

    /** {@code {"status":…,"uptime":{"secs":…,"nanos":…},"endpoints":{"generate":…}}}, the spec's body. */
    public String body() {
        Duration uptime = Duration.ofNanos(System.nanoTime() - startedAtNanos);
        String status = isReady() ? "ready" : "notready";
        return "{\"status\":\"" + status + "\",\"uptime\":{\"secs\":" + uptime.toSeconds() + ",\"nanos\":"
                + uptime.toNanosPart() + "},\"endpoints\":{\"" + ENDPOINT + "\":\"" + status + "\"}}";
    }
}
