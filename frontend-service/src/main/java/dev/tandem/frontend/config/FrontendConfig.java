package dev.tandem.frontend.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.tandem.model.ModelSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "tandem")
public interface FrontendConfig extends ModelSettings {

    /**
     * Prefill workers' gRPC endpoints, {@code host:port} each ({@code TANDEM_PREFILL_WORKERS}, comma-separated). With any, the
     * frontend serves disaggregated; without, aggregated.
     */
    Optional<List<String>> prefillWorkers();

    /** Decode workers' gRPC endpoints, {@code host:port} each ({@code TANDEM_DECODE_WORKERS}, comma-separated). */
    @WithDefault("127.0.0.1:9081")
    List<String> decodeWorkers();

    Routing routing();

    /**
     * API keys ({@code TANDEM_API_KEY}, comma-separated): when any is set (here or in {@link #apiKeyFile()}), the
     * API routes want {@code Authorization: Bearer <key>}; {@code /health}, {@code /live} and {@code /metrics} stay
     * open. Unset: no key needed.
     */
    Optional<List<String>> apiKey();

    /** A file of API keys, one a line, blank lines skipped ({@code TANDEM_API_KEY_FILE}); adds to {@link #apiKey()}. */
    Optional<String> apiKeyFile();

    /**
     * Ignore request fields Tandem does not serve instead of refusing them with a 400 naming them
     * ({@code TANDEM_IGNORE_UNSUPPORTED_PARAMS}).
     */
    @WithDefault("false")
    boolean ignoreUnsupportedParams();
    Migration migration();

    Busy busy();

    /**
     * Dynamo's request migration: a request whose worker is lost mid-stream is sent again, with the tokens
     * generated so far, to another worker.
     */
    interface Migration {
        /**
         * How many times one request may migrate ({@code DYN_MIGRATION_LIMIT}, Dynamo's {@code --migration-limit}).
         * 0 turns migration off.
         */
        @WithDefault("3")
        int limit();

        /**
         * A request whose prompt plus generated tokens exceed this is not migrated
         * ({@code DYN_MIGRATION_MAX_SEQ_LEN}); absent = no bound beyond the model's context.
         */
        java.util.OptionalInt maxSeqLen();
    }

    /**
     * Load shedding, Dynamo's busy thresholds: a worker over any of them is busy, and a request that finds every
     * worker of a role it needs busy is refused at once (503, {@code Retry-After}). Changed at run time through
     * {@code /busy_threshold}.
     */
    interface Busy {
        /** Fraction of a decode worker's KV blocks in use above which it is busy ({@code DYN_ACTIVE_DECODE_BLOCKS_THRESHOLD}). */
        @WithDefault("1.0")
        double activeDecodeBlocksThreshold();

        /** Prompt tokens waiting for prefill on a worker above which it is busy ({@code DYN_ACTIVE_PREFILL_TOKENS_THRESHOLD}). */
        @WithDefault("10000000")
        long activePrefillTokensThreshold();

        /**
         * The same as a multiple of the worker's context length ({@code DYN_ACTIVE_PREFILL_TOKENS_THRESHOLD_FRAC};
         * Dynamo's is of {@code max_num_batched_tokens}, which Tandem's workers bound by the context).
         */
        @WithDefault("10.0")
        double activePrefillTokensThresholdFrac();

        /**
         * Requests queued on one worker (admitted, waiting for a batch slot or KV) above which it is busy: overload
         * turns into fast refusals rather than unbounded latency.
         */
        @WithDefault("128")
        int maxQueuedPerWorker();

        /** The {@code Retry-After} a refusal suggests, in seconds. */
        @WithDefault("1")
        int retryAfterSeconds();
    }

    /**
     * How tool calls are read from the output ({@code TANDEM_TOOL_CALL_PARSER}, as Dynamo's
     * {@code --dyn-tool-call-parser}): {@code hermes} ({@code <tool_call>{...}</tool_call>}), {@code llama3_json}
     * ({@code {"name": ..., "parameters": ...}}) or {@code auto}, chosen by the chat template's text.
     */
    @WithDefault("auto")
    String toolCallParser();

    interface Routing {
        /** How often each worker's load and KV usage are refreshed. */
        @WithDefault("1s")
        Duration infoInterval();

        /** A worker that does not answer its info call in time counts as unreachable. */
        @WithDefault("2s")
        Duration infoTimeout();

        /**
         * {@code kv}: the worker that runs a prompt is the one with the lowest cost, prompt blocks it would have to
         * compute (those it is not predicted to hold in its prefix cache) weighted by {@link #kvOverlapWeight()},
         * plus the KV blocks it has in use (Dynamo's KV router). {@code least-loaded}: the fewest requests in
         * flight.
         */
        @WithDefault("kv")
        RoutingMode mode();

        /** Weight of the prompt blocks to compute against the blocks in use (Dynamo's {@code --kv-overlap-score-weight}). */
        @WithDefault("1.0")
        double kvOverlapWeight();
    }

    enum RoutingMode {
        KV, LEAST_LOADED
    }
}
