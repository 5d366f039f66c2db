package dev.tandem.worker;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.tandem.worker.config.WorkerConfig;

/** The worker's model, engine and KV pool, loaded once. */
public class WorkerRuntimeProducer {

    @Produces
    @Singleton
    WorkerRuntime workerRuntime(WorkerConfig config) {
        return WorkerRuntime.of(config); // loaded by WorkerLifecycle, at startup
    }
}
