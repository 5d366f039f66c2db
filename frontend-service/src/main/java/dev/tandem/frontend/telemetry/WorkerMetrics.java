package dev.tandem.frontend.telemetry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.protocol.grpc.WorkerRole;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * Dynamo's per-worker gauges at the frontend ({@code dynamo_frontend_worker_*}, labels {@code worker_id},
 * {@code dp_rank}, {@code worker_type}, no hierarchy labels): each worker's load as it reports it, the last
 * time to first token and input length of the worker that produced a first token, and the last inter-token
 * latency of the decode worker that streamed it. A worker's series appear when it is first heard of.
 */
final class WorkerMetrics {

    private static final String PREFIX = "dynamo_frontend_worker_";
    static final String PREFILL = "prefill";
    static final String DECODE = "decode";

    /** The last values of one worker; gauges read them. */
    private static final class Values {
        volatile double activeDecodeBlocks;
        volatile double activePrefillTokens;
        volatile double lastTimeToFirstToken;
        volatile double lastInputSequenceTokens;
        volatile double lastInterTokenLatency;
        volatile boolean loadRegistered;
        volatile boolean firstTokenRegistered;
        volatile boolean interTokenRegistered;
    }

    private record Worker(String id, String type) {
    }

    private final MeterRegistry registry;
    private final Map<Worker, Values> workers = new ConcurrentHashMap<>();

    WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A worker's info report: its KV blocks in use and the prompt tokens it has still to prefill. */
    void reported(WorkerInfo info) {
        String type = info.getRole() == WorkerRole.WORKER_ROLE_PREFILL ? PREFILL : DECODE;
        Worker worker = new Worker(info.getWorkerId(), type);
        Values values = values(worker);
        values.activeDecodeBlocks = info.getKvUsedBlocks();
        values.activePrefillTokens = info.getActivePrefillTokens();
        if (!values.loadRegistered) {
            values.loadRegistered = true;
            gauge(worker, values, "active_decode_blocks", "Active KV cache decode blocks per worker",
                    v -> v.activeDecodeBlocks);
            gauge(worker, values, "active_prefill_tokens", "Active prefill tokens queued per worker",
                    v -> v.activePrefillTokens);
        }
    }

    /** The first token of a request, produced by a prefill worker or, aggregated, by a decode worker. */
    void firstToken(String workerId, String type, double seconds, int inputTokens) {
        Worker worker = new Worker(workerId, type);
        Values values = values(worker);
        values.lastTimeToFirstToken = seconds;
        values.lastInputSequenceTokens = inputTokens;
        if (!values.firstTokenRegistered) {
            values.firstTokenRegistered = true;
            gauge(worker, values, "last_time_to_first_token_seconds", "Last observed time to first token per worker",
                    v -> v.lastTimeToFirstToken);
            gauge(worker, values, "last_input_sequence_tokens", "Last observed input sequence length per worker",
                    v -> v.lastInputSequenceTokens);
        }
    }

    /** The inter-token latency of the latest chunk a decode worker streamed. */
    void interTokenLatency(String workerId, double seconds) {
        Worker worker = new Worker(workerId, DECODE);
        Values values = values(worker);
        values.lastInterTokenLatency = seconds;
        if (!values.interTokenRegistered) {
            values.interTokenRegistered = true;
            gauge(worker, values, "last_inter_token_latency_seconds", "Last observed inter-token latency per worker",
                    v -> v.lastInterTokenLatency);
        }
    }

    private Values values(Worker worker) {
        return workers.computeIfAbsent(worker, w -> new Values());
    }

    private void gauge(Worker worker, Values values, String name, String help, ToDoubleFunction<Values> value) {
        Gauge.builder(PREFIX + name, values, value).description(help)
                .tags(Tags.of("worker_id", worker.id(), "dp_rank", "0", "worker_type", worker.type()))
                .strongReference(true).register(registry);
    }
}
