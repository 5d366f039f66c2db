package dev.tandem.prefill;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.tandem.worker.WorkerHealth;
import dev.tandem.worker.WorkerRuntime;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/** Loads the model before the worker reports ready, and reports not ready as soon as shutdown begins. */
@ApplicationScoped
public class WorkerLifecycle {

    void onStart(@Observes StartupEvent event, WorkerRuntime runtime, WorkerHealth health) {
        health.markReady();
    }

    void onStop(@Observes ShutdownEvent event, WorkerHealth health) {
        health.markNotReady();
    }
}
