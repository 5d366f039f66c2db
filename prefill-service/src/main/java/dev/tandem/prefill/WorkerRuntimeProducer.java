package dev.tandem.prefill;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.tandem.model.worker.WorkerRuntime;
import dev.tandem.prefill.config.PrefillConfig;

public class WorkerRuntimeProducer {

    @Produces
    @Singleton
    WorkerRuntime workerRuntime(PrefillConfig config) {
        return WorkerRuntime.load(config);
    }
}
