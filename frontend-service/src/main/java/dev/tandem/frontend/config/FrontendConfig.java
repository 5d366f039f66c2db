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
