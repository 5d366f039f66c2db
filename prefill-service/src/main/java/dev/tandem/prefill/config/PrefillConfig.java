package dev.tandem.prefill.config;

import java.time.Duration;

import dev.tandem.worker.WorkerSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "tandem")
public interface PrefillConfig extends WorkerSettings {

    Prefill prefill();

    interface Prefill {
        /** A KV handle that no decode worker pulls within this time is freed. */
        @WithDefault("30s")
        Duration kvHandleTimeout();

        /** Prompt tokens prefilled together in one engine pass, when several prompts are waiting. */
        @WithDefault("512")
        int maxBatchTokens();
    }
}
