package dev.tandem.frontend.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.protocol.grpc.WorkerRole;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class WorkerMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkerMetrics metrics = new WorkerMetrics(registry);

    private double gauge(String name, String workerId, String type) {
        Gauge gauge = registry.find("dynamo_frontend_worker_" + name)
                .tags("worker_id", workerId, "dp_rank", "0", "worker_type", type).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    @Test
    void loadFollowsTheLatestReport() {
        metrics.reported(WorkerInfo.newBuilder().setWorkerId("d1").setRole(WorkerRole.WORKER_ROLE_DECODE)
                .setKvUsedBlocks(7).setActivePrefillTokens(120).build());
        metrics.reported(WorkerInfo.newBuilder().setWorkerId("p1").setRole(WorkerRole.WORKER_ROLE_PREFILL)
                .setKvUsedBlocks(3).setActivePrefillTokens(40).build());
        assertEquals(7, gauge("active_decode_blocks", "d1", "decode"));
        assertEquals(120, gauge("active_prefill_tokens", "d1", "decode"));
        assertEquals(40, gauge("active_prefill_tokens", "p1", "prefill"));
        metrics.reported(WorkerInfo.newBuilder().setWorkerId("d1").setRole(WorkerRole.WORKER_ROLE_DECODE)
                .setKvUsedBlocks(2).build());
        assertEquals(2, gauge("active_decode_blocks", "d1", "decode"));
        assertEquals(0, gauge("active_prefill_tokens", "d1", "decode"));
    }

    @Test
    void latenciesAreAttributedToTheWorkerThatProducedThem() {
        assertNull(registry.find("dynamo_frontend_worker_last_time_to_first_token_seconds").gauge(),
                "series appear when first observed");
        metrics.firstToken("p1", WorkerMetrics.PREFILL, 0.25, 300);
        metrics.interTokenLatency("d1", 0.02);
        metrics.interTokenLatency("d1", 0.03);
        assertEquals(0.25, gauge("last_time_to_first_token_seconds", "p1", "prefill"));
        assertEquals(300, gauge("last_input_sequence_tokens", "p1", "prefill"));
        assertEquals(0.03, gauge("last_inter_token_latency_seconds", "d1", "decode"));
    }
}
