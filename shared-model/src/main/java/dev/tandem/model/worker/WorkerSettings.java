package dev.tandem.model.worker;

import java.util.Optional;
import java.util.OptionalInt;

import dev.tandem.model.config.ModelSettings;
import io.smallrye.config.WithDefault;

/** What prefill and decode workers share in their {@code tandem.*} configuration. */
public interface WorkerSettings extends ModelSettings {

    /** This worker's id in routing, logs and metrics; defaults to a random id per process. */
    Optional<String> workerId();

    /** {@code host:port} where peers reach this worker's gRPC endpoint; defaults to 127.0.0.1 and the gRPC port. */
    Optional<String> advertisedAddress();

    Kv kv();

    Engine engine();

    interface Kv {
        /** Tokens per KV block. */
        @WithDefault("16")
        int blockSize();

        /** Memory for the KV block pool, in MiB. */
        @WithDefault("256")
        int budgetMb();

        /** Blocks in the pool, overriding {@link #budgetMb()} (vLLM's num_gpu_blocks_override). */
        OptionalInt numBlocks();

        /** Reuse the KV of cached prompt prefixes (full blocks keyed by their token prefix). */
        @WithDefault("true")
        boolean prefixCaching();
    }

    interface Engine {
        /** Threads for the kernels; defaults to the number of cores. */
        OptionalInt threads();
    }
}
