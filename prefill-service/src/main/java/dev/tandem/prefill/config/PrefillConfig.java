package dev.tandem.prefill.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The prefill worker's own settings; what every worker shares is {@link dev.tandem.worker.config.WorkerConfig}. */
@ConfigMapping(prefix = "tandem.prefill")
public interface PrefillConfig {

    /** A KV handle that no decode worker pulls within this time is freed. */
    @WithDefault("30s")
    Duration kvHandleTimeout();

    /** Prompt tokens prefilled together in one engine pass, when several prompts are waiting. */
    @WithDefault("512")
    int maxBatchTokens();
}
