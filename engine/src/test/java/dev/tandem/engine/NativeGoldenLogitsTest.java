package dev.tandem.engine;

import dev.tandem.engine.kv.KvBlockPool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/** The golden checks of {@link GoldenLogitsTest} on the native CPU kernels; skipped when the library is not built. */
class NativeGoldenLogitsTest extends GoldenLogitsTest {

    @BeforeEach
    void library() {
        Assumptions.assumeTrue(NativeKernels.get().isPresent(), () -> "native CPU kernels not built: " + NativeKernels.failure());
    }

    @Override
    LlamaEngine engine(LoadedModel model, KvPrecision precision) {
        LlamaEngine engine = new LlamaEngine(model, KvBlockPool.forBudget(model.config(), 64L << 20, 16), 2, precision,
                CpuKernels.NATIVE);
        Assumptions.assumeTrue(engine.cpuKernels().startsWith("native"));
        return engine;
    }
}
