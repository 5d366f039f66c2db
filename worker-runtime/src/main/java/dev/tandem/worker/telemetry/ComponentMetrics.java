package dev.tandem.worker.telemetry;

import dev.tandem.worker.config.DynamoConfig;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import dev.tandem.engine.LlamaEngine;
import dev.tandem.engine.cuda.CudaForward;

/**
 * A worker's {@code dynamo_component_*} metrics (the spec's §3.6), served on its system port: the request metrics
 * of its {@code generate} endpoint with Dynamo's hierarchy labels ({@code dynamo_namespace}, {@code dynamo_component},
 * {@code dynamo_endpoint}) and the backend's {@code model}, its KV cache gauges (the current names and the older
 * {@code kvstats_*} ones), the prompt tokens it computed or found cached, and its KV transfers. Prefill and decode
 * workers each build one, naming their component; the meters are registered here, once.
 */
public final class ComponentMetrics {

    /** Dynamo's default namespace ({@code DYN_NAMESPACE}). */
    public static final String DEFAULT_NAMESPACE = DynamoConfig.DEFAULT_NAMESPACE;
    /** The component of a prefill worker. */
    public static final String PREFILL = "prefill";
    /** The component of a decode worker, aggregated or not. */
    public static final String BACKEND = "backend";

    /** {@code dynamo_component_errors_total}'s {@code error_type} values. */
    public enum ErrorType {
        DESERIALIZATION, INVALID_MESSAGE, RESPONSE_STREAM, GENERATE, PUBLISH_RESPONSE, PUBLISH_FINAL;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code dynamo_component_request_duration_seconds}' buckets (seconds). */
    public static final double[] DURATION_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60,
            120, 300, 600};
    /** KV transfer latency buckets (seconds), from 1 ms to 10 s. */
    public static final double[] KV_TRANSFER_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
            2.5, 5, 10};

    private final String namespace;
    private final String component;
    private final Tags tags;
    private final Counter requests;
    private final AtomicInteger inflight = new AtomicInteger();
    private final Timer duration;
    private final Counter requestBytes;
    private final Counter responseBytes;
    private final Map<ErrorType, Counter> errors = new EnumMap<>(ErrorType.class);
    private final Counter cancellations;
    private final Counter computedPromptTokens;
    private final Counter cachedPromptTokens;
    private final Counter kvTransferBytes;
    private final Timer kvTransferLatency;

    public ComponentMetrics(MeterRegistry registry, String namespace, String component, String model,
            IntSupplier totalBlocks, IntSupplier usedBlocks, DoubleSupplier prefixCacheHitRate) {
        this.namespace = sanitize(namespace);
        this.component = sanitize(component);
        this.tags = Tags.of("dynamo_namespace", this.namespace, "dynamo_component", this.component,
                "dynamo_endpoint", "generate", "model", model);
        String prefix = "dynamo_component_";
        requests = Counter.builder(prefix + "requests").description("Total number of requests processed by work handler")
                .tags(tags).register(registry);
        Gauge.builder(prefix + "inflight_requests", inflight, AtomicInteger::get)
                .description("Number of requests currently being processed by work handler").tags(tags).register(registry);
        duration = Timer.builder(prefix + "request_duration").description("Time spent processing requests by work handler")
                .serviceLevelObjectives(durations(DURATION_BUCKETS)).tags(tags).register(registry);
        requestBytes = Counter.builder(prefix + "request_bytes").description("Total number of bytes received in requests by work handler")
                .tags(tags).register(registry);
        responseBytes = Counter.builder(prefix + "response_bytes").description("Total number of bytes sent in responses by work handler")
                .tags(tags).register(registry);
        for (ErrorType type : ErrorType.values()) {
            errors.put(type, Counter.builder(prefix + "errors").description("Total number of errors in work handler processing")
                    .tags(tags).tag("error_type", type.label()).register(registry));
        }
        cancellations = Counter.builder(prefix + "cancellation").description("Total number of cancellation signals received")
                .tags(tags).register(registry);
        computedPromptTokens = Counter.builder(prefix + "prefill_computed_tokens")
                .description("Prompt tokens this worker ran through the model").tags(tags).register(registry);
        cachedPromptTokens = Counter.builder(prefix + "prefill_cached_tokens")
                .description("Prompt tokens this worker found in its prefix cache")
                .tags(tags).register(registry);
        kvTransferBytes = Counter.builder(prefix + "kv_transfer_bytes")
                .description("KV cache bytes transferred between workers (prefill: sent, decode: pulled)").tags(tags)
                .register(registry);
        kvTransferLatency = Timer.builder(prefix + "kv_transfer_latency")
                .description("Time to transfer one request's KV cache between workers")
                .serviceLevelObjectives(durations(KV_TRANSFER_BUCKETS)).tags(tags).register(registry);

        // KV cache gauges as Dynamo's Python backends publish them, and their older kvstats_* names
        Tags kvTags = Tags.of("model", model, "dynamo_component", this.component, "dp_rank", "0");
        Gauge.builder(prefix + "total_blocks", totalBlocks::getAsInt).description("Total number of KV cache blocks")
                .tags(kvTags).strongReference(true).register(registry);
        Gauge.builder(prefix + "gpu_cache_usage_percent", () -> usage(totalBlocks, usedBlocks))
                .description("KV cache usage as a fraction (0.0-1.0)").tags(kvTags).strongReference(true).register(registry);
        Tags kvstatsTags = Tags.of("dynamo_namespace", this.namespace, "dynamo_component", this.component);
        Gauge.builder(prefix + "kvstats_active_blocks", usedBlocks::getAsInt).description("Number of active KV cache blocks")
                .tags(kvstatsTags).strongReference(true).register(registry);
        Gauge.builder(prefix + "kvstats_total_blocks", totalBlocks::getAsInt).description("Total number of KV cache blocks")
                .tags(kvstatsTags).strongReference(true).register(registry);
        Gauge.builder(prefix + "kvstats_gpu_cache_usage_percent", () -> usage(totalBlocks, usedBlocks))
                .description("GPU cache usage as a fraction (0.0-1.0)").tags(kvstatsTags).strongReference(true)
                .register(registry);
        Gauge.builder(prefix + "kvstats_gpu_prefix_cache_hit_rate", prefixCacheHitRate::getAsDouble)
                .description("GPU prefix cache hit rate").tags(kvstatsTags)
                .strongReference(true).register(registry);
    }

    /**
     * The engine's gauges, once it is loaded (the worker's runtime wires these metrics to its model and KV pool: this
     * package knows nothing of it): which engine runs, as {@code dynamo_component_engine_info} (always 1, the facts in
     * labels: backend, and CPU kernels such as native-avx2, native-avx512, java-vector), and on the CUDA backend the
     * GPU's memory.
     */
    public void engineGauges(MeterRegistry registry, String model, LlamaEngine engine) {
        Gauge.builder("dynamo_component_engine_info", () -> 1.0)
                .description("The worker's engine: backend and CPU kernels in labels (value always 1)")
                .tags(Tags.of("model", model, "dynamo_component", component,
                        "backend", engine.forwardPass() instanceof CudaForward ? "cuda" : "cpu",
                        "cpu_kernels", engine.cpuKernels()))
                .strongReference(true).register(registry);
        if (engine.forwardPass() instanceof CudaForward gpu) {
            Tags gpuTags = Tags.of("model", model, "dynamo_component", component,
                    "device", String.valueOf(gpu.device().index()));
            Gauge.builder("dynamo_component_gpu_memory_used_bytes", () -> deviceMemory(gpu, true))
                    .description("Device memory in use (weights, KV cache, activations, other processes)").baseUnit("bytes")
                    .tags(gpuTags).strongReference(true).register(registry);
            Gauge.builder("dynamo_component_gpu_memory_total_bytes", () -> deviceMemory(gpu, false))
                    .description("Device memory in all").baseUnit("bytes").tags(gpuTags).strongReference(true).register(registry);
        }
    }

    /** Used or total bytes; NaN when the device cannot be asked. */
    private static double deviceMemory(CudaForward gpu, boolean used) {
        try {
            long[] freeTotal = gpu.deviceMemory();
            return used ? freeTotal[1] - freeTotal[0] : freeTotal[1];
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    public String namespace() {
        return namespace;
    }

    public String component() {
        return component;
    }

    /** The hierarchy labels plus {@code model}. */
    public Tags tags() {
        return tags;
    }

    void requestStarted(long bytes) {
        requests.increment();
        inflight.incrementAndGet();
        requestBytes.increment(bytes);
    }

    void requestEnded(long nanos) {
        inflight.decrementAndGet();
        duration.record(nanos, TimeUnit.NANOSECONDS);
    }

    void responseBytes(long bytes) {
        responseBytes.increment(bytes);
    }

    void error(ErrorType type) {
        errors.get(type).increment();
    }

    void cancelled() {
        cancellations.increment();
    }

    /** A prompt this worker prefilled: the tokens it computed and those it found cached. */
    public void promptTokens(int computed, int cached) {
        computedPromptTokens.increment(computed);
        cachedPromptTokens.increment(cached);
    }

    /** One request's KV sent (prefill) or pulled (decode). */
    public void kvTransferred(long bytes, long nanos) {
        kvTransferBytes.increment(bytes);
        kvTransferLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Dynamo's label values: {@code [a-zA-Z0-9_]}, anything else replaced, leading {@code __} stripped. */
    static String sanitize(String value) {
        String clean = value.replaceAll("[^a-zA-Z0-9_]", "_");
        while (clean.startsWith("__")) {
            clean = clean.substring(2);
        }
        return clean;
    }

    private static double usage(IntSupplier total, IntSupplier used) {
        int blocks = total.getAsInt();
        return blocks == 0 ? 0 : (double) used.getAsInt() / blocks;
    }

    private static Duration[] durations(double[] seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            out[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
        }
        return out;
    }
}
