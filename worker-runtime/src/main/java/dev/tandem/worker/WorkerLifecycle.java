package dev.tandem.worker;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.tandem.worker.health.WorkerHealth;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Reports ready once the model is loaded and the worker's workload runs; on shutdown reports not ready at once, then
 * lets running work finish for most of the shutdown timeout before the rest is cancelled and freed.
 */
@ApplicationScoped
public class WorkerLifecycle {

    private final Duration drainTimeout;

    public WorkerLifecycle(@ConfigProperty(name = "quarkus.shutdown.timeout") Duration shutdownTimeout) {
        this.drainTimeout = shutdownTimeout.multipliedBy(8).dividedBy(10);
    }

    void onStart(@Observes StartupEvent event, WorkerRuntime runtime, WorkerWorkload workload, WorkerHealth health) {
        health.markReady();
    }

    void onStop(@Observes ShutdownEvent event, WorkerWorkload workload, WorkerHealth health) {
        health.markNotReady();
        workload.drain(drainTimeout);
    }
}
