package dev.tandem.decode;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.tandem.decode.batching.ContinuousBatcher;
import dev.tandem.worker.WorkerHealth;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Reports ready once the model is loaded and the batch loop runs; on shutdown reports not ready at once, then
 * lets running sequences finish for most of the shutdown timeout before the rest are cancelled and freed.
 */
@ApplicationScoped
public class WorkerLifecycle {

    private final Duration drainTimeout;

    public WorkerLifecycle(@ConfigProperty(name = "quarkus.shutdown.timeout") Duration shutdownTimeout) {
        this.drainTimeout = shutdownTimeout.multipliedBy(8).dividedBy(10);
    }

    void onStart(@Observes StartupEvent event, ContinuousBatcher batcher, WorkerHealth health) {
        health.markReady();
    }

    void onStop(@Observes ShutdownEvent event, ContinuousBatcher batcher, WorkerHealth health) {
        health.markNotReady();
        batcher.drain(drainTimeout);
    }
}
