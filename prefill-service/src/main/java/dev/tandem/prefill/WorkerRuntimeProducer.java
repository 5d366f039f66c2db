package dev.tandem.prefill;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.tandem.worker.telemetry.ComponentMetrics;
import dev.tandem.worker.WorkerRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import dev.tandem.prefill.config.PrefillConfig;

public class WorkerRuntimeProducer {

    @Produces
    @Singleton
    WorkerRuntime workerRuntime(PrefillConfig config) {
        return WorkerRuntime.load(config);
    }

    @Produces
    @Singleton
    ComponentMetrics componentMetrics(MeterRegistry registry, WorkerRuntime runtime,
            @ConfigProperty(name = "DYN_NAMESPACE", defaultValue = ComponentMetrics.DEFAULT_NAMESPACE) String namespace) {
        return ComponentMetrics.forWorker(registry, namespace, ComponentMetrics.PREFILL, runtime);
    }
}
