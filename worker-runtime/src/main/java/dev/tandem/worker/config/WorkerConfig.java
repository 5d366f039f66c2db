package dev.tandem.worker.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

import dev.tandem.model.ModelSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What prefill and decode workers share in their {@code tandem.*} configuration; each adds its own root
 * ({@code tandem.prefill.*}, {@code tandem.decode.*}).
 */
@ConfigMapping(prefix = "tandem")
public interface WorkerConfig extends ModelSettings {

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
        /** Threads for the CPU kernels; defaults to the number of cores. */
        OptionalInt threads();

        /** {@code cpu}, {@code cuda} (an NVIDIA GPU, or a startup error saying why not) or {@code auto} (the GPU if usable, else the CPU). */
        @WithDefault("cpu")
        String backend();

        /**
         * CPU kernels: {@code native} (libtandem_cpu through the FFM API; startup fails when it does not load),
         * {@code java} (the Vector API kernels) or {@code auto} (native when the library loads, else java).
         */
        @WithDefault("auto")
        String cpuKernels();

        Cuda cuda();
    }

    interface Cuda {
        /** libtandem_cuda.so (src-native/build.sh); defaults to java.library.path, then src-native/build up from the working directory. */
        Optional<Path> library();

        /** CUDA device index. */
        @WithDefault("0")
        int device();

        /** Tokens per forward pass on the device: the prompt chunk and the largest decode batch run at once. */
        @WithDefault("256")
        int maxTokens();

        /** Capture decode steps as CUDA graphs (one launch per step). */
        @WithDefault("true")
        boolean graphs();
    }
}
