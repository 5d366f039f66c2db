package dev.tandem.engine;

import dev.tandem.model.ModelConfig;
import dev.tandem.model.RopeStyle;
import dev.tandem.model.SyntheticModel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** The weights of the {@link SyntheticModel}: seeded N(0,1)/√fan-in matrices and norms near 1, generated in memory. */
final class SyntheticWeights {

    private SyntheticWeights() {
    }

    static LlamaWeights create(ModelConfig cfg) {
        Gaussian rng = new Gaussian(SyntheticModel.SEED);
        int dim = cfg.dim();
        int kvDim = cfg.kvDim();
        int ff = cfg.hiddenDim();
        FloatMatrix embedding = matrix(rng, cfg.vocabSize(), dim, 1.0);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < cfg.numLayers(); l++) {
            layers.add(new LayerWeights(
                    norm(rng, dim),
                    matrix(rng, dim, dim, 1 / Math.sqrt(dim)),
                    matrix(rng, kvDim, dim, 1 / Math.sqrt(dim)),
                    matrix(rng, kvDim, dim, 1 / Math.sqrt(dim)),
                    null, null, null,
                    matrix(rng, dim, dim, 1 / Math.sqrt(dim)),
                    norm(rng, dim),
                    matrix(rng, ff, dim, 1 / Math.sqrt(dim)),
                    matrix(rng, ff, dim, 1 / Math.sqrt(dim)),
                    matrix(rng, dim, ff, 1 / Math.sqrt(ff))));
        }
        float[] outputNorm = norm(rng, dim);
        FloatMatrix output = matrix(rng, cfg.vocabSize(), dim, 1 / Math.sqrt(dim));
        return new LlamaWeights(embedding, layers, outputNorm, output, RopeStyle.NORMAL, 1f, null, null);
    }

    private static FloatMatrix matrix(Gaussian rng, int rows, int cols, double scale) {
        // Stored like a GGUF F32 tensor (little-endian) so it takes the same kernel path as real weights.
        MemorySegment data = Arena.ofAuto().allocate((long) rows * cols * Float.BYTES, 64);
        for (long i = 0; i < (long) rows * cols; i++) {
            data.setAtIndex(Dot.LE_FLOAT, i, (float) (rng.next() * scale));
        }
        return new F32Matrix(data, rows, cols);
    }

    private static float[] norm(Gaussian rng, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (1.0 + 0.05 * rng.next());
        }
        return w;
    }

    /**
     * Standard normal numbers from SplitMix64 and Box-Muller: spelled out rather than
     * java.util.Random so the weights cannot change with the JDK.
     */
    private static final class Gaussian {
        private long state;
        private double spare = Double.NaN;

        Gaussian(long seed) {
            this.state = seed;
        }

        private double uniform() {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            return ((z >>> 11) + 0.5) * 0x1.0p-53; // (0, 1): never 0, so log() is finite
        }

        double next() {
            if (!Double.isNaN(spare)) {
                double s = spare;
                spare = Double.NaN;
                return s;
            }
            double r = StrictMath.sqrt(-2 * StrictMath.log(uniform()));
            double a = 2 * Math.PI * uniform();
            spare = r * StrictMath.sin(a);
            return r * StrictMath.cos(a);
        }
    }
}
