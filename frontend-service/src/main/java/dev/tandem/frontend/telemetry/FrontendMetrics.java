package dev.tandem.frontend.telemetry;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Singleton;

import dev.tandem.frontend.config.FrontendConfig;
import dev.tandem.frontend.config.HistogramConfig;
import dev.tandem.frontend.model.ServedModel;
import dev.tandem.frontend.routing.WorkerReports;
import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.protocol.grpc.WorkerInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.CollectorRegistry;

/**
 * The frontend's {@code dynamo_frontend_*} metrics (the spec's §3.3), with Dynamo's labels and histogram buckets,
 * registered once: those with fixed labels here, those whose labels depend on the request on first use of each
 * (small, closed) label combination. {@code model} is the served model, lower-cased, never what a client sent.
 */
@Singleton
public class FrontendMetrics implements WorkerReports {

    static final String PREFIX = "dynamo_frontend_";
    /** The {@code endpoint} label values of the routes the frontend serves. */
    public static final String CHAT_COMPLETIONS = "chat_completions";
    public static final String COMPLETIONS = "completions";
    public static final String STREAM = "stream";
    public static final String UNARY = "unary";
    /** {@code dynamo_frontend_tokenizer_latency_ms} buckets. */
    static final double[] TOKENIZER_BUCKETS_MS = {0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    static final double[] TEMPLATE_BUCKETS = {0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05};
    static final double[] TOKENIZE_BUCKETS = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1};
    static final double[] STAGE_BUCKETS = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5};

    private final MeterRegistry registry;
    private final String model;
    private final String displayName;
    final AtomicInteger inflight = new AtomicInteger();
    final AtomicInteger queued = new AtomicInteger();
    final AtomicLong disconnectedClients = new AtomicLong();
    final SpecHistogram.Series requestDuration;
    final SpecHistogram.Series timeToFirstToken;
    final SpecHistogram.Series interTokenLatency;
    final SpecHistogram.Series inputSequenceTokens;
    final SpecHistogram.Series outputSequenceTokens;
    final SpecHistogram.Series cachedTokens;
    final Counter outputTokens;
    final SpecHistogram.Series templateSeconds;
    final SpecHistogram.Series tokenizeSeconds;
    /** {@code stage}: {@code preprocess}, {@code route}, {@code transport_roundtrip}, {@code postprocess}. */
    final SpecHistogram stageDuration;
    final io.prometheus.client.Gauge detokenizeMicros;
    final io.prometheus.client.Gauge detokenizedTokens;
    final DistributionSummary tokenizeLatency;
    final DistributionSummary detokenizeLatency;
    private final Map<List<String>, Counter> requests = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> cancellations = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejections = new ConcurrentHashMap<>();
    private final Counter migrations;
    private final Counter ongoingMigrations;
    private final Counter migrationMaxSeqLenExceeded;
    private final AtomicBoolean modelReported = new AtomicBoolean();
    final WorkerMetrics workers;

    public FrontendMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus, ServedModel served,
            HistogramConfig histogramConfig, FrontendConfig config) {
        Function<String, String> overrides = HistogramBuckets.overrides(histogramConfig);
        this.registry = registry;
        this.displayName = served.name();
        this.model = served.name().toLowerCase(Locale.ROOT);
        this.workers = new WorkerMetrics(registry);
        Gauge.builder(PREFIX + "inflight_requests", inflight, AtomicInteger::get)
                .description("Number of inflight requests").tag("model", model).register(registry);
        Gauge.builder(PREFIX + "active_requests", inflight, AtomicInteger::get)
                .description("Number of active requests (handler entry to response finished)").tag("model", model)
                .register(registry);
        Gauge.builder(PREFIX + "queued_requests", queued, AtomicInteger::get)
                .description("Number of requests waiting for their first token").tag("model", model).register(registry);
        Gauge.builder(PREFIX + "disconnected_clients", disconnectedClients, AtomicLong::get)
                .description("Number of disconnected clients").register(registry);
        CollectorRegistry histograms = prometheus.getPrometheusRegistry();
        requestDuration = SpecHistogram.register(histograms, PREFIX + "request_duration_seconds", "Duration of LLM requests",
                HistogramBuckets.resolve(HistogramBuckets.REQUEST_DURATION, overrides), "model").labels(model);
        timeToFirstToken = SpecHistogram.register(histograms, PREFIX + "time_to_first_token_seconds",
                "Time to first token in seconds", HistogramBuckets.resolve(HistogramBuckets.TTFT, overrides), "model").labels(model);
        interTokenLatency = SpecHistogram.register(histograms, PREFIX + "inter_token_latency_seconds",
                "Inter-token latency in seconds", HistogramBuckets.resolve(HistogramBuckets.ITL, overrides), "model").labels(model);
        double[] isl = HistogramBuckets.resolve(HistogramBuckets.INPUT_SEQUENCE, overrides);
        inputSequenceTokens = SpecHistogram.register(histograms, PREFIX + "input_sequence_tokens",
                "Input sequence length in tokens", isl, "model").labels(model);
        outputSequenceTokens = SpecHistogram.register(histograms, PREFIX + "output_sequence_tokens",
                "Output sequence length in tokens", HistogramBuckets.resolve(HistogramBuckets.OUTPUT_SEQUENCE, overrides), "model").labels(model);
        cachedTokens = SpecHistogram.register(histograms, PREFIX + "cached_tokens",
                "Number of cached tokens (prefix cache hits) per request", isl, "model").labels(model);
        outputTokens = Counter.builder(PREFIX + "output_tokens").description("Total number of output tokens generated")
                .tag("model", model).register(registry);
        migrations = Counter.builder(PREFIX + "model_migration").description("Total number of request migrations")
                .tags("model", model, "migration_type", "new_request").register(registry);
        ongoingMigrations = Counter.builder(PREFIX + "model_migration").description("Total number of request migrations")
                .tags("model", model, "migration_type", "ongoing_request").register(registry);
        migrationMaxSeqLenExceeded = Counter.builder(PREFIX + "model_migration_max_seq_len_exceeded")
                .description("Requests not migrated because their sequence exceeded the migration max sequence length")
                .tag("model", model).register(registry);
        Gauge.builder(PREFIX + "model_migration_limit", config.migration(), m -> m.limit())
                .description("Maximum number of request migrations").tag("model", displayName).register(registry);
        templateSeconds = SpecHistogram.register(histograms, PREFIX + "template_seconds",
                "Time to render the chat template", TEMPLATE_BUCKETS).labels();
        tokenizeSeconds = SpecHistogram.register(histograms, PREFIX + "tokenize_seconds", "Time to tokenize the prompt",
                TOKENIZE_BUCKETS).labels();
        stageDuration = SpecHistogram.register(histograms, PREFIX + "stage_duration_seconds",
                "Time a request spends in each stage of the frontend's pipeline", STAGE_BUCKETS, "stage");
        // Dynamo's counters have no _total suffix, which Micrometer's and the Prometheus client's counters would
        // add: gauges that only grow keep the names (rate() works the same).
        detokenizeMicros = io.prometheus.client.Gauge.build().name(PREFIX + "detokenize_total_us")
                .help("Time spent detokenizing, in microseconds").register(histograms);
        detokenizedTokens = io.prometheus.client.Gauge.build().name(PREFIX + "detokenize_token_count")
                .help("Tokens detokenized").register(histograms);
        tokenizeLatency = tokenizer("tokenize");
        detokenizeLatency = tokenizer("detokenize");
        Gauge.builder(PREFIX + "model_context_length", served, s -> s.config().contextLength())
                .description("Maximum context length in tokens for a worker serving the model")
                .tag("model", displayName).register(registry);
        // zero series for the plain outcome of each route, so that rates and the scrape show the family from the start
        for (String endpoint : List.of(CHAT_COMPLETIONS, COMPLETIONS)) {
            for (String type : List.of(STREAM, UNARY)) {
                requestCounter(endpoint, type, "success", "");
            }
        }
    }

    private DistributionSummary tokenizer(String operation) {
        return DistributionSummary.builder(PREFIX + "tokenizer_latency_ms")
                .description("Tokenizer latency in milliseconds").serviceLevelObjectives(TOKENIZER_BUCKETS_MS)
                .tag("operation", operation).register(registry);
    }

    /** The served model as the request metrics label it. */
    public String model() {
        return model;
    }

    /** Starts tracking one request; see {@link RequestTelemetry}. */
    public RequestTelemetry start(String endpoint, boolean stream, String requestId, String xRequestId) {
        return new RequestTelemetry(this, endpoint, stream ? STREAM : UNARY, requestId, xRequestId);
    }

    /**
     * A worker's info report: its per-worker gauges, and the model configuration gauges from the first worker that
     * reports (Dynamo: first registering instance wins).
     */
    @Override
    public void workerReported(WorkerInfo info) {
        workers.reported(info);
        if (info.getKvTotalBlocks() <= 0 || !modelReported.compareAndSet(false, true)) {
            return;
        }
        Gauge.builder(PREFIX + "model_total_kv_blocks", info, WorkerInfo::getKvTotalBlocks)
                .description("Total KV blocks available for a worker serving the model").tag("model", displayName)
                .strongReference(true).register(registry);
        Gauge.builder(PREFIX + "model_kv_cache_block_size", info, WorkerInfo::getKvBlockSize)
                .description("KV cache block size for a worker serving the model").tag("model", displayName)
                .strongReference(true).register(registry);
        if (info.getMaxBatchSize() > 0) {
            Gauge.builder(PREFIX + "model_max_num_seqs", info, WorkerInfo::getMaxBatchSize)
                    .description("Maximum number of sequences for a worker serving the model").tag("model", displayName)
                    .strongReference(true).register(registry);
        }
    }

    void requestEnded(String endpoint, String requestType, String status, String errorType) {
        requestCounter(endpoint, requestType, status, errorType).increment();
    }

    private Counter requestCounter(String endpoint, String requestType, String status, String errorType) {
        return requests.computeIfAbsent(List.of(endpoint, requestType, status, errorType),
                key -> Counter.builder(PREFIX + "requests").description("Total number of LLM requests processed")
                        .tags("model", model, "endpoint", endpoint, "request_type", requestType, "status", status,
                                "error_type", errorType)
                        .register(registry));
    }

    void cancelled(String endpoint, String requestType) {
        disconnectedClients.incrementAndGet();
        cancellations.computeIfAbsent(List.of(endpoint, requestType),
                key -> Counter.builder(PREFIX + "model_cancellation").description("Total number of request cancellations")
                        .tags("model", model, "endpoint", endpoint, "request_type", requestType).register(registry))
                .increment();
    }

    void rejected(String endpoint) {
        rejections.computeIfAbsent(endpoint,
                key -> Counter.builder(PREFIX + "model_rejection")
                        .description("Total number of requests rejected because all workers are busy")
                        .tags("model", model, "endpoint", endpoint).register(registry))
                .increment();
    }

    /**
     * A request sent again to another worker after the one chosen could not be reached, before it produced anything
     * (Dynamo's {@code migration_type="new_request"}).
     */
    void migrated() {
        migrations.increment();
    }

    /** A request whose worker was lost mid-stream sent again, with what it had generated, to another worker. */
    void migratedOngoing() {
        ongoingMigrations.increment();
    }

    void migrationMaxSeqLenExceeded() {
        migrationMaxSeqLenExceeded.increment();
    }

    void tokenized(long nanos) {
        tokenizeLatency.record(nanos / 1e6);
    }

    void detokenized(double millisPerToken) {
        detokenizeLatency.record(millisPerToken);
    }

    void tokens(int count) {
        outputTokens.increment(count);
    }

    /**
     * Dynamo's {@code error_type} of a failed request (the spec's §3.7): by the HTTP status it is answered with.
     * Every 400 the frontend answers is a validation failure of the request.
     */
    public static String errorType(Throwable error) {
        if (!(error instanceof OpenAiException api)) {
            return "internal";
        }
        int status = api.status();
        if (status == 503 && api.workersLost()) {
            return "internal"; // workers lost or unreachable: not an overload
        }
        return switch (status) {
            case 400 -> "validation";
            case 404 -> "not_found";
            case 429, 503 -> "overload";
            case 499 -> "cancelled";
            case 501 -> "not_implemented";
            case 500 -> "internal";
            default -> status >= 400 && status < 500 ? "validation" : "internal";
        };
    }

    /** Dynamo's {@code error_detail} for an {@code error_type}. */
    static String errorDetail(String errorType) {
        return switch (errorType) {
            case "cancelled" -> "cancelled before completion";
            case "response_timeout" -> "backend stream inactivity timeout";
            case "validation" -> "invalid request parameters";
            case "not_found" -> "model or resource not found";
            case "overload" -> "service overloaded or rate limited";
            case "not_implemented" -> "requested feature not implemented";
            default -> "internal server error during processing";
        };
    }
}
