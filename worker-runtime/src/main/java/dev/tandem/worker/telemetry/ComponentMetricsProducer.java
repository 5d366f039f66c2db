package dev.tandem.worker.telemetry;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.tandem.protocol.grpc.WorkerRole;
import dev.tandem.worker.WorkerLoaded;
import dev.tandem.worker.WorkerRuntime;
import dev.tandem.worker.WorkerWorkload;
import dev.tandem.worker.config.DynamoConfig;
import io.micrometer.core.instrument.MeterRegistry;

/** The worker's {@code dynamo_component_*} metrics, named after its role. */
public class ComponentMetricsProducer {

    @Produces
    @Singleton
    ComponentMetrics componentMetrics(MeterRegistry registry, WorkerRuntime runtime, WorkerWorkload workload,
            DynamoConfig dynamo) {
        String component = workload.role() == WorkerRole.WORKER_ROLE_PREFILL ? ComponentMetrics.PREFILL : ComponentMetrics.BACKEND;
        // 0 until the model and pool are loaded: the metrics may be created first, with the gRPC server
        return new ComponentMetrics(registry, dynamo.namespace(), component, runtime.servedModelName(),
                () -> runtime.isLoaded() ? runtime.pool().totalBlocks() : 0,
                () -> runtime.isLoaded() ? runtime.pool().usedBlocks() : 0,
                () -> runtime.isLoaded() ? runtime.pool().prefixCacheHitRate() : 0);
    }

    /** The engine's gauges (which engine runs; a GPU's memory) once it is loaded. */
    void engineLoaded(@Observes WorkerLoaded loaded, ComponentMetrics metrics, MeterRegistry registry) {
        metrics.engineGauges(registry, loaded.runtime().servedModelName(), loaded.runtime().engine());
    }
}
