package dev.tandem.engine.cuda;

import dev.tandem.engine.CpuKernels;
import dev.tandem.engine.KvPrecision;
import dev.tandem.engine.LlamaEngine;
import dev.tandem.engine.LoadedModel;
import dev.tandem.model.ModelConfig;
import dev.tandem.model.UnsupportedModelException;
import dev.tandem.engine.kv.KvBlockPool;
import java.util.OptionalInt;
import org.jboss.logging.Logger;

/** Builds a worker's engine and its KV cache on the configured backend. */
public final class EngineFactory {

    private static final Logger LOG = Logger.getLogger(EngineFactory.class);

    /**
     * @param threads       CPU kernel threads (CPU backend)
     * @param kvBudgetBytes memory for the KV cache: host memory on CPU, device memory on CUDA
     * @param kvBlocks      blocks in the KV cache, overriding {@code kvBudgetBytes}
     * @param blockSize     positions per KV block (0 or less: {@link KvBlockPool#DEFAULT_BLOCK_SIZE})
     */
    public record Options(EngineBackend backend, int threads, long kvBudgetBytes, OptionalInt kvBlocks, int blockSize,
                          boolean prefixCaching, KvPrecision precision, CudaForward.Options cuda, CpuKernels cpuKernels) {

        /** CPU kernels from the system property {@code tandem.engine.cpu-kernels} (default auto). */
        public Options(EngineBackend backend, int threads, long kvBudgetBytes, OptionalInt kvBlocks, int blockSize,
                       boolean prefixCaching, KvPrecision precision, CudaForward.Options cuda) {
            this(backend, threads, kvBudgetBytes, kvBlocks, blockSize, prefixCaching, precision, cuda,
                    CpuKernels.fromSystemProperty());
        }

        /** A KV cache sized by its budget, with prefix caching. */
        public Options(EngineBackend backend, int threads, long kvBudgetBytes, int blockSize, KvPrecision precision,
                       CudaForward.Options cuda) {
            this(backend, threads, kvBudgetBytes, OptionalInt.empty(), blockSize, true, precision, cuda);
        }

        int kvBlockSize() {
            return blockSize > 0 ? blockSize : KvBlockPool.DEFAULT_BLOCK_SIZE;
        }

        /** The same number of blocks on either backend: a KV block takes as many bytes on the device as on the host. */
        int kvBlockCount(ModelConfig cfg) {
            return kvBlocks.orElseGet(() -> KvBlockPool.blocksForBudget(cfg, kvBudgetBytes, kvBlockSize()));
        }
    }

    private EngineFactory() {
    }

    /**
     * @throws CudaException             with {@link EngineBackend#CUDA}, when the GPU cannot be used (the message says why)
     * @throws UnsupportedModelException with {@link EngineBackend#CUDA}, for weight types without device kernels
     */
    public static LlamaEngine open(LoadedModel model, Options options) {
        return switch (options.backend()) {
            case CPU -> cpu(model, options);
            case CUDA -> cuda(model, options);
            case AUTO -> {
                try {
                    yield cuda(model, options);
                } catch (CudaException | UnsupportedModelException e) {
                    LOG.infof("Not running on a GPU (tandem.engine.backend=auto): %s. Using the CPU engine.", e.getMessage());
                    yield cpu(model, options);
                }
            }
        };
    }

    private static LlamaEngine cpu(LoadedModel model, Options options) {
        ModelConfig cfg = model.config();
        KvBlockPool pool = new KvBlockPool(cfg.numLayers(), cfg.kvDim(), options.kvBlockSize(), options.kvBlockCount(cfg),
                options.prefixCaching());
        return new LlamaEngine(model, pool, options.threads(), options.precision(), options.cpuKernels());
    }

    private static LlamaEngine cuda(LoadedModel model, Options options) {
        CudaForward forward = CudaForward.open(model, options.cuda(), options.precision(),
                options.kvBlockCount(model.config()), options.kvBlockSize(), options.prefixCaching());
        try {
            return new LlamaEngine(model, forward.pool(), forward);
        } catch (RuntimeException e) {
            forward.close();
            throw e;
        }
    }
}
