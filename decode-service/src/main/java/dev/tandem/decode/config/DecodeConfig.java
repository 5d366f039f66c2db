package dev.tandem.decode.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The decode worker's own settings; what every worker shares is {@link dev.tandem.worker.config.WorkerConfig}. */
@ConfigMapping(prefix = "tandem.decode")
public interface DecodeConfig {

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
