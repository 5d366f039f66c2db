package dev.tandem.engine;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.model.ModelConfig;
import java.util.Arrays;

/**
 * Causal attention over the paged KV cache, one layer at a time: att[i] = softmax(q·Kᵀ/√d)·V per query head over
 * positions 0..positions[i] of entry i's sequence.
 *
 * <p>Work is cut per (entry, KV head): the query heads that share a KV head (grouped-query attention) are served
 * together, so each block of keys and values is read once for all of them. Keys are stored dimension-major
 * ({@link dev.tandem.engine.kv.HostKvStore}), so the scores of a block's positions are one vector multiply-add per
 * dimension, lanes over positions, with no horizontal sums.
 *
 * <p>The arithmetic is fixed, so that a result never depends on the batch, the thread or whether the code is
 * interpreted or compiled: score = ((c0 + c1) + (c2 + c3))·scale, where cr is the chain of fused multiply-adds over
 * the dimensions d ≡ r (mod 4) in order ({@link Dot#blockScores}); softmax in float with a polynomial exp and the sum
 * in double, as ggml does ({@link Dot#expShifted}); out[d] += p·v[d], a multiply then an add, position after position ({@link Dot#weightedSum}). With
 * an F16-rounded cache, the query and the weights are rounded to half precision first, as ggml multiplies F16 K and V.
 */
final class Attention {

    private final ModelConfig cfg;
    private final KvBlockPool pool;
    private final Parallel parallel;
    private final boolean halfKv;
    private final float scale;

    Attention(ModelConfig cfg, KvBlockPool pool, Parallel parallel, boolean halfKv) {
        this.cfg = cfg;
        this.pool = pool;
        this.parallel = parallel;
        this.halfKv = halfKv;
        this.scale = (float) (1.0 / Math.sqrt(cfg.headDim()));
    }

    void run(int layer, ForwardBatch batch, float[][] q, float[][] att) {
        int n = batch.size();
        int kvHeads = cfg.numKvHeads();
        int maxLen = 0;
        long work = 0;
        for (int pos : batch.positions()) {
            maxLen = Math.max(maxLen, pos + 1);
            work += 2L * (pos + 1) * cfg.headDim() * cfg.numHeads();
        }
        int scoresLength = maxLen;
        parallel.forRange(n * kvHeads, work, (s, e) -> {
            Scratch scratch = new Scratch(cfg.groupSize(), cfg.headDim(), scoresLength);
            for (int task = s; task < e; task++) {
                attendGroup(layer, batch, task / kvHeads, task % kvHeads, q[task / kvHeads], att[task / kvHeads], scratch);
            }
        });
    }

    /** Per-thread buffers of one {@link #run}. */
    private record Scratch(float[] queries, float[][] scores) {
        Scratch(int group, int headDim, int maxLen) {
            this(new float[group * headDim], new float[group][maxLen]);
        }
    }

    /** The query heads of KV head g for entry i. */
    private void attendGroup(int layer, ForwardBatch batch, int i, int g, float[] q, float[] out, Scratch scratch) {
        int headDim = cfg.headDim();
        int kvDim = cfg.kvDim();
        int group = cfg.groupSize();
        int blockSize = pool.blockSize();
        int kvOff = g * headDim;
        int firstHead = g * group;
        int len = batch.positions()[i] + 1;
        int[] blocks = batch.blockTables()[i];
        float[] queries = scratch.queries();
        System.arraycopy(q, firstHead * headDim, queries, 0, group * headDim);
        if (halfKv) {
            LlamaForward.roundToHalf(queries, 0, queries.length);
        }
        float[][] scores = scratch.scores();
        for (int start = 0; start < len; start += blockSize) {
            int count = Math.min(blockSize, len - start);
            float[] keys = pool.keys(layer, blocks[start / blockSize]);
            for (int h = 0; h < group; h++) {
                Dot.blockScores(queries, h * headDim, keys, kvOff * blockSize, blockSize, count, headDim, scale,
                        scores[h], start);
            }
        }
        for (int h = 0; h < group; h++) {
            softmax(scores[h], len);
        }
        Arrays.fill(out, firstHead * headDim, (firstHead + group) * headDim, 0f);
        for (int start = 0; start < len; start += blockSize) {
            int count = Math.min(blockSize, len - start);
            float[] values = pool.values(layer, blocks[start / blockSize]);
            for (int h = 0; h < group; h++) {
                Dot.weightedSum(out, (firstHead + h) * headDim, scores[h], start, values, kvOff, kvDim, count, headDim);
            }
        }
    }

    /** scores[0..len) to attention weights (rounded to half precision with an F16 cache). */
    private void softmax(float[] scores, int len) {
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < len; t++) {
            max = Math.max(max, scores[t]);
        }
        double sum = Dot.expShifted(scores, len, max);
        float inv = (float) (1.0 / sum);
        for (int t = 0; t < len; t++) {
            float p = scores[t] * inv;
            scores[t] = halfKv ? Float.float16ToFloat(Float.floatToFloat16(p)) : p;
        }
    }
}
