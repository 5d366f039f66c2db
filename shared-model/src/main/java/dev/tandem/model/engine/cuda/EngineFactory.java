package dev.tandem.model.engine.cuda;

import dev.tandem.model.engine.KvPrecision;
import dev.tandem.model.engine.LlamaEngine;
import dev.tandem.model.engine.LoadedModel;
import dev.tandem.model.engine.UnsupportedModelException;
import dev.tandem.model.kv.KvBlockPool;
import org.jboss.logging.Logger;

/** Builds a worker's engine and its KV cache on the configured backend. */
public final class EngineFactory {

    private static final Logger LOG = Logger.getLogger(EngineFactory.class);

    /**
     * @param threads       CPU kernel threads (CPU backend)
     * @param kvBudgetBytes memory for the KV cache: host memory on CPU, device memory on CUDA
     */
    public record Options(EngineBackend backend, int threads, long kvBudgetBytes, int blockSize, KvPrecision precision,
                          CudaForward.Options cuda) {
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
        KvBlockPool pool = KvBlockPool.forBudget(model.config(), options.kvBudgetBytes(), options.blockSize());
        return new LlamaEngine(model, pool, options.threads(), options.precision());
    }

    private static LlamaEngine cuda(LoadedModel model, Options options) {
        CudaForward forward = CudaForward.open(model, options.cuda(), options.precision(), options.kvBudgetBytes(),
                options.blockSize() > 0 ? options.blockSize() : KvBlockPool.DEFAULT_BLOCK_SIZE);
        try {
            return new LlamaEngine(model, forward.pool(), forward);
        } catch (RuntimeException e) {
            forward.close();
            throw e;
        }
    }
}
