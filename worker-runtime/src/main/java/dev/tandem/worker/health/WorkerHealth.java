package dev.tandem.worker.health;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * What a worker knows of its own health, set by its lifecycle: model loaded, KV pool allocated, gRPC serving,
 * draining. The SmallRye Health checks ({@link WorkerChecks}) report it at {@code /q/health/*}, and Dynamo's
 * {@code /health} and {@code /live} are computed from those checks ({@link HealthResource}).
 */
@ApplicationScoped
public class WorkerHealth {

    /** Dynamo's workers serve one endpoint, {@code generate}; dashboards and probes key on that name. */
    public static final String ENDPOINT = "generate";

    private final long startedAtNanos = System.nanoTime();
    private volatile String model;
    private volatile int kvBlocks;
    private volatile boolean serving;
    private volatile boolean draining;

    /** The model is loaded and its KV pool holds {@code kvBlocks} blocks. */
    public void loaded(String model, int kvBlocks) {
        this.model = model;
        this.kvBlocks = kvBlocks;
    }

    /** The gRPC server takes requests. */
    public void serving() {
        serving = true;
    }

    /** Shutdown began: no new work, running work finishes or is handed back. */
    public void draining() {
        draining = true;
    }

    public boolean isDraining() {
        return draining;
    }

    public String model() {
        return model;
    }

    public int kvBlocks() {
        return kvBlocks;
    }

    public boolean isServing() {
        return serving;
    }

    /** {@code {"status":…,"uptime":{"secs":…,"nanos":…},"endpoints":{"generate":…}}}, the spec's body. */
    public String body(boolean ready) {
        Duration uptime = Duration.ofNanos(System.nanoTime() - startedAtNanos);
        String status = ready ? "ready" : "notready";
        return "{\"status\":\"" + status + "\",\"uptime\":{\"secs\":" + uptime.toSeconds() + ",\"nanos\":"
                + uptime.toNanosPart() + "},\"endpoints\":{\"" + ENDPOINT + "\":\"" + status + "\"}}";
    }
}
