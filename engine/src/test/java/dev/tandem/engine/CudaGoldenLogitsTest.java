package dev.tandem.engine;

import dev.tandem.model.UnsupportedModelException;

import dev.tandem.engine.cuda.CudaForward;
import dev.tandem.engine.cuda.EngineBackend;
import dev.tandem.engine.cuda.EngineFactory;
import dev.tandem.engine.cuda.NativeBuild;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * The golden checks of {@link GoldenLogitsTest} (same models, tolerances and greedy comparisons) on the
 * CUDA backend. Skipped without a GPU; models whose weight types have no device kernels (K-quants) are
 * skipped with a message.
 */
class CudaGoldenLogitsTest extends GoldenLogitsTest {

    @BeforeEach
    void gpu() {
        NativeBuild.requireGpu();
        NativeBuild.library();
    }

    @Override
    LlamaEngine engine(LoadedModel model, KvPrecision precision) {
        try {
            return EngineFactory.open(model, new EngineFactory.Options(EngineBackend.CUDA, 1, 64L << 20, 16, precision,
                    CudaForward.Options.defaults()));
        } catch (UnsupportedModelException e) {
            Assumptions.abort("no CUDA kernels for this model: " + e.getMessage());
            throw e;
        }
    }
}
