package dev.tandem.decode;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.tandem.model.worker.WorkerRuntime;
import dev.tandem.decode.config.DecodeConfig;

public class WorkerRuntimeProducer {

    @Produces
    @Singleton
    WorkerRuntime workerRuntime(DecodeConfig config) {
        return WorkerRuntime.load(config);
    }
}
