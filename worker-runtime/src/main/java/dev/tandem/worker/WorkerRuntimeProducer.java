package dev.tandem.worker;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.tandem.protocol.grpc.WorkerRole;
import dev.tandem.worker.config.DynamoConfig;
import dev.tandem.worker.config.WorkerConfig;
import dev.tandem.worker.telemetry.ComponentMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/** The worker's model, engine and KV pool, and its {@code dynamo_component_*} metrics named after its role. */
public class WorkerRuntimeProducer {

    @Produces
    @Singleton
    WorkerRuntime workerRuntime(WorkerConfig config) {
        return WorkerRuntime.of(config); // loaded by WorkerLifecycle, at startup
    }

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
}
