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

/**
 * A worker's model, its engine and its KV block pool: what prefill and decode workers both stand on. Created cheaply
 * (its id and served name come from the configuration); the model is loaded and the pool allocated on first use,
 * which {@code WorkerLifecycle} makes happen on the main thread at startup rather than on the event loop that
 * starts the gRPC server and creates its services.
 */
public final class WorkerRuntime {

    private static final Logger LOG = Logger.getLogger(WorkerRuntime.class);

    private record Loaded(LoadedModel model, KvBlockPool pool, LlamaEngine engine) {
    }

    private final WorkerConfig settings;
    private final String workerId;
    private final String servedModelName;
    private volatile Loaded loaded;

    private WorkerRuntime(WorkerConfig settings) {
        this.settings = settings;
        this.workerId = settings.workerId().orElseGet(() -> UUID.randomUUID().toString().substring(0, 8));
        this.servedModelName = settings.resolvedServedModelName();
    }

    /** The runtime of these settings; the model loads on first use. */
    public static WorkerRuntime of(WorkerConfig settings) {
        return new WorkerRuntime(settings);
    }

    /** The runtime of these settings with its model loaded now. */
    public static WorkerRuntime load(WorkerConfig settings) {
        WorkerRuntime runtime = of(settings);
        runtime.loaded();
        return runtime;
    }

    public boolean isLoaded() {
        return loaded != null;
    }

    private Loaded loaded() {
        Loaded current = loaded;
        if (current == null) {
            synchronized (this) {
                current = loaded;
                if (current == null) {
                    loaded = current = open(settings);
                }
            }
        }
        return current;
    }

    private static Loaded open(WorkerConfig settings) {
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
        LOG.infof("Loaded model %s (%s, %d layers, dim %d, context %d); KV pool %d blocks of %d tokens (prefix caching %s); engine on %s",
                settings.resolvedServedModelName(), model.config().architecture(), model.config().numLayers(),
                model.config().dim(), model.config().contextLength(), pool.totalBlocks(), pool.blockSize(),
                pool.prefixCaching() ? "on" : "off", engine.backend());
        return new Loaded(model, pool, engine);
    }

    public String workerId() {
        return workerId;
    }

    public String servedModelName() {
        return servedModelName;
    }

    public LoadedModel model() {
        return loaded().model();
    }

    public KvBlockPool pool() {
        return loaded().pool();
    }

    public LlamaEngine engine() {
        return loaded().engine();
    }
}
