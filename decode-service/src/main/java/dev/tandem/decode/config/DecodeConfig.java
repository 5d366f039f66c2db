package dev.tandem.decode.config;

import dev.tandem.worker.WorkerSettings;
import io.smallrye.config.WithDefault;
import io.smallrye.config.ConfigMapping;

@ConfigMapping(prefix = "tandem")
public interface DecodeConfig extends WorkerSettings {

    Decode decode();

    interface Decode {
        /** Sequences advanced together in one engine step. */
        @WithDefault("32")
        int maxBatchSize();

        /**
         * Prompt tokens prefilled per scheduler iteration (aggregated mode): a longer prompt is prefilled a chunk at
         * a time, with a decoding step of the running sequences between chunks.
         */
        @WithDefault("256")
        int prefillChunkTokens();
    }
}
