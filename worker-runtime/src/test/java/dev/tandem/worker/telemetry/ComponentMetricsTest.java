package dev.tandem.worker.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** A worker's dynamo_component_* metrics: names, hierarchy labels, and what one request does to them. */
class ComponentMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private ComponentMetrics metrics(String namespace, String component) {
        return new ComponentMetrics(registry, namespace, component, "Stories260K", () -> 100, () -> 25, () -> 0.5);
    }

    private static Map<String, String> tags(Iterable<Tag> tags) {
        return java.util.stream.StreamSupport.stream(tags.spliterator(), false)
                .collect(Collectors.toMap(Tag::getKey, Tag::getValue));
    }

    @Test
    void hierarchyLabels() {
        ComponentMetrics prefill = metrics(ComponentMetrics.DEFAULT_NAMESPACE, ComponentMetrics.PREFILL);
        assertEquals(Map.of("dynamo_namespace", "dynamo", "dynamo_component", "prefill", "dynamo_endpoint", "generate",
                "model", "Stories260K"), tags(prefill.tags()));
        assertEquals("backend", ComponentMetrics.BACKEND);
    }

    @Test
    void labelValuesAreSanitizedLikeDynamos() {
        ComponentMetrics metrics = metrics("__my-ns.v1", "backend");
        assertEquals("my_ns_v1", metrics.namespace());
    }

    @Test
    void kvGauges() {
        metrics("dynamo", "backend");
        assertEquals(100, registry.get("dynamo_component_total_blocks").gauge().value());
        assertEquals(0.25, registry.get("dynamo_component_gpu_cache_usage_percent").gauge().value());
        assertEquals(25, registry.get("dynamo_component_kvstats_active_blocks").gauge().value());
        assertEquals(100, registry.get("dynamo_component_kvstats_total_blocks").gauge().value());
        assertEquals(0.25, registry.get("dynamo_component_kvstats_gpu_cache_usage_percent").gauge().value());
        assertEquals(0.5, registry.get("dynamo_component_kvstats_gpu_prefix_cache_hit_rate").gauge().value());
        assertEquals(Map.of("dynamo_namespace", "dynamo", "dynamo_component", "backend"),
                tags(registry.get("dynamo_component_kvstats_total_blocks").gauge().getId().getTags()));
    }

    @Test
    void oneRequestFromStartToEnd() {
        ComponentMetrics metrics = metrics("dynamo", "prefill");
        WorkerCall call = WorkerCall.start(metrics, "prefill", "w1", "r1", 40);
        assertEquals(1, registry.get("dynamo_component_inflight_requests").gauge().value());
        call.responded(80);
        call.completed();
        call.failed(new RuntimeException("late")); // ends once
        assertEquals(1, registry.get("dynamo_component_requests").counter().count());
        assertEquals(0, registry.get("dynamo_component_inflight_requests").gauge().value());
        assertEquals(40, registry.get("dynamo_component_request_bytes").counter().count());
        assertEquals(80, registry.get("dynamo_component_response_bytes").counter().count());
        assertEquals(1, registry.get("dynamo_component_request_duration").timer().count());
        assertEquals(0, registry.get("dynamo_component_errors").tag("error_type", "generate").counter().count());
    }

    @Test
    void failuresAndCancellations() {
        ComponentMetrics metrics = metrics("dynamo", "backend");
        WorkerCall.start(metrics, "backend", "w1", "r1", 1).failed(Status.INTERNAL.asRuntimeException());
        WorkerCall.start(metrics, "backend", "w1", "r2", 1).failed(Status.INVALID_ARGUMENT.asRuntimeException());
        WorkerCall.start(metrics, "decode", "w1", "r3", 1).failed(Status.CANCELLED.asRuntimeException());
        assertEquals(1, registry.get("dynamo_component_errors").tag("error_type", "generate").counter().count());
        assertEquals(1, registry.get("dynamo_component_errors").tag("error_type", "invalid_message").counter().count());
        assertEquals(1, registry.get("dynamo_component_cancellation").counter().count());
        assertEquals(3, registry.get("dynamo_component_request_duration").timer().count());
    }
}
