package dev.tandem.worker;

import dev.tandem.worker.config.WorkerConfig;

import java.util.UUID;

import org.jboss.logging.Logger;

import dev.tandem.engine.KvPrecision;
import dev.tandem.engine.LlamaEngine;
import dev.tandem.engine.LoadedModel;
import dev.tandem.engine.ModelLoader;
import dev.tandem.engine.cuda.CudaForward;
import dev.tandem.engine.cuda.EngineBackend;
import dev.tandem.engine.cuda.EngineFactory;
import dev.tandem.engine.CpuKernels;
import dev.tandem.engine.kv.KvBlockPool;

/** A worker's loaded model, its engine and its KV block pool: what prefill and decode workers both stand on. */
public final class WorkerRuntime {

    private static final Logger LOG = Logger.getLogger(WorkerRuntime.class);

    private final String workerId;
    private final String servedModelName;
    private final LoadedModel model;
    private final KvBlockPool pool;
    private final LlamaEngine engine;

    private WorkerRuntime(String workerId, String servedModelName, LoadedModel model, KvBlockPool pool, LlamaEngine engine) {
        this.workerId = workerId;
        this.servedModelName = servedModelName;
        this.model = model;
        this.pool = pool;
        this.engine = engine;
    }

    public static WorkerRuntime load(WorkerConfig settings) {
        LoadedModel model = ModelLoader.load(settings.model());
        WorkerConfig.Kv kv = settings.kv();
        WorkerConfig.Engine engineSettings = settings.engine();
        WorkerConfig.Cuda cuda = engineSettings.cuda();
        EngineFactory.Options options = new EngineFactory.Options(EngineBackend.parse(engineSettings.backend()),
                engineSettings.threads().orElse(Runtime.getRuntime().availableProcessors()),
                kv.budgetMb() * 1024L * 1024L, kv.numBlocks(), kv.blockSize(), kv.prefixCaching(), KvPrecision.F32,
                new CudaForward.Options(cuda.library(), cuda.device(), cuda.maxTokens(), cuda.graphs()),
                CpuKernels.parse(engineSettings.cpuKernels()));
        LlamaEngine engine;
        try {
            engine = EngineFactory.open(model, options);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        KvBlockPool pool = engine.pool();
        String workerId = settings.workerId().orElseGet(() -> UUID.randomUUID().toString().substring(0, 8));
        LOG.infof("Loaded model %s (%s, %d layers, dim %d, context %d); KV pool %d blocks of %d tokens (prefix caching %s); engine on %s",
                settings.resolvedServedModelName(), model.config().architecture(), model.config().numLayers(),
                model.config().dim(), model.config().contextLength(), pool.totalBlocks(), pool.blockSize(),
                pool.prefixCaching() ? "on" : "off", engine.backend());
        return new WorkerRuntime(workerId, settings.resolvedServedModelName(), model, pool, engine);
    }

    public String workerId() {
        return workerId;
    }

    public String servedModelName() {
        return servedModelName;
    }

    public LoadedModel model() {
        return model;
    }

    public KvBlockPool pool() {
        return pool;
    }

    public LlamaEngine engine() {
        return engine;
    }
}
