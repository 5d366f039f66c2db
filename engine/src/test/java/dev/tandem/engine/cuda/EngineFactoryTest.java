package dev.tandem.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.engine.KvPrecision;
import dev.tandem.engine.LlamaEngine;
import dev.tandem.engine.LoadedModel;
import dev.tandem.engine.ModelLoader;
import dev.tandem.engine.kv.KvSequence;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Backend selection: cpu, cuda (a clear startup error without a GPU), auto (falls back to the CPU). */
class EngineFactoryTest {

    private static EngineFactory.Options options(EngineBackend backend) {
        return new EngineFactory.Options(backend, 1, 8L << 20, 16, KvPrecision.F32, CudaForward.Options.defaults());
    }

    @Test
    void parsesBackends() {
        assertEquals(EngineBackend.CPU, EngineBackend.parse("cpu"));
        assertEquals(EngineBackend.CUDA, EngineBackend.parse(" CUDA "));
        assertEquals(EngineBackend.AUTO, EngineBackend.parse("Auto"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineBackend.parse("gpu"));
        assertTrue(e.getMessage().contains("[cpu, cuda, auto]"), e.getMessage());
    }

    @Test
    void cpuBackendRunsOnTheCpu() {
        try (LoadedModel model = ModelLoader.load(Optional.empty());
             LlamaEngine engine = EngineFactory.open(model, options(EngineBackend.CPU))) {
            assertTrue(engine.backend().startsWith("cpu"), engine.backend());
        }
    }

    @Test
    void cudaWithoutAGpuIsAStartupErrorThatSaysWhy() {
        Assumptions.assumeFalse(NativeBuild.gpuPresent(), "a GPU is present");
        try (LoadedModel model = ModelLoader.load(Optional.empty())) {
            CudaException e = assertThrows(CudaException.class, () -> EngineFactory.open(model, options(EngineBackend.CUDA)));
            System.out.println("tandem.engine.backend=cuda without a GPU: " + e.getMessage());
            assertTrue(e.kind() == CudaException.Kind.NO_DRIVER || e.kind() == CudaException.Kind.NO_DEVICE, e.kind().toString());
            assertTrue(e.getMessage().startsWith("no NVIDIA driver") || e.getMessage().startsWith("no CUDA device"), e.getMessage());
        }
    }

    @Test
    void autoWithoutAGpuFallsBackToTheCpu() {
        Assumptions.assumeFalse(NativeBuild.gpuPresent(), "a GPU is present");
        try (LoadedModel model = ModelLoader.load(Optional.empty());
             LlamaEngine engine = EngineFactory.open(model, options(EngineBackend.AUTO))) {
            assertTrue(engine.backend().startsWith("cpu"), engine.backend());
            KvSequence seq = engine.pool().newSequence();
            assertEquals(model.config().vocabSize(), engine.prefill(seq, new int[] {1, 2, 3}).length);
        }
    }

    @Test
    void autoWithAGpuRunsOnIt() {
        NativeBuild.requireGpu();
        NativeBuild.library();
        try (LoadedModel model = ModelLoader.load(Optional.empty());
             LlamaEngine engine = EngineFactory.open(model, options(EngineBackend.AUTO))) {
            assertTrue(engine.backend().startsWith("cuda:0"), engine.backend());
        }
    }
}
