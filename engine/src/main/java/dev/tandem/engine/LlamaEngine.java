package dev.tandem.engine;

import dev.tandem.model.ModelConfig;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a Llama model over a paged KV cache: prompt processing ({@link #prefill}) and one batched
 * decoding step ({@link #decodeStep}), with the forward pass on CPU or on a device ({@link ForwardPass}).
 *
 * <p>Thread-safety: the caller serialises calls into one engine (a scheduler loop). The engine
 * splits each call across its own {@code threads} workers. The pool's allocation is thread-safe,
 * so other threads may create and free <em>other</em> sequences meanwhile; a sequence must not be
 * freed while a call that was given it runs.
 */
public final class LlamaEngine implements AutoCloseable {

    private final LoadedModel model;
    private final ModelConfig cfg;
    private final KvBlockPool pool;
    /** The CPU kernels' worker threads; null with a device forward pass. */
    private final Parallel parallel;
    private final ForwardPass forward;

    public LlamaEngine(LoadedModel model, KvBlockPool pool, int threads) {
        this(model, pool, threads, KvPrecision.F32);
    }

    /**
     * @param precision {@link KvPrecision#F32} (default, exact) or {@link KvPrecision#F16_ROUNDED}
     *                  to reproduce llama.cpp's default F16 KV cache numerically
     */
    public LlamaEngine(LoadedModel model, KvBlockPool pool, int threads, KvPrecision precision) {
        this(model, pool, threads, precision, CpuKernels.fromSystemProperty());
    }

    /**
     * @param kernels the CPU kernels: {@link CpuKernels#NATIVE} (the C library; fails when it does not load),
     *                {@link CpuKernels#JAVA}, or {@link CpuKernels#AUTO} (native when it loads)
     */
    public LlamaEngine(LoadedModel model, KvBlockPool pool, int threads, KvPrecision precision, CpuKernels kernels) {
        check(model, pool);
        CpuKernels resolved = kernels.resolve();
        Parallel parallel = new Parallel(Math.max(1, threads));
        this(model, pool, parallel, new LlamaForward(model.config(), model.weights(), pool, parallel, precision, resolved));
    }

    /** An engine whose forward pass runs elsewhere (a device), over the pass's KV cache {@code pool}; it closes the pass. */
    public LlamaEngine(LoadedModel model, KvBlockPool pool, ForwardPass forward) {
        check(model, pool);
        this(model, pool, null, forward);
    }

    private LlamaEngine(LoadedModel model, KvBlockPool pool, Parallel parallel, ForwardPass forward) {
        this.model = model;
        this.cfg = model.config();
        this.pool = pool;
        this.parallel = parallel;
        this.forward = forward;
    }

    private static void check(LoadedModel model, KvBlockPool pool) {
        ModelConfig cfg = model.config();
        if (pool.numLayers() != cfg.numLayers() || pool.kvDim() != cfg.kvDim()) {
            throw new IllegalArgumentException("KV pool shape (" + pool.numLayers() + " layers, kvDim " + pool.kvDim()
                    + ") does not fit the model (" + cfg.numLayers() + " layers, kvDim " + cfg.kvDim() + ")");
        }
    }

    public LoadedModel model() {
        return model;
    }

    public ModelConfig config() {
        return cfg;
    }

    public KvBlockPool pool() {
        return pool;
    }

    /**
     * The CPU kernels in use: {@code native-avx2}, {@code native-avx512}, {@code native-generic}, {@code java-vector},
     * {@code java-scalar}; {@code none} with a device forward pass.
     */
    public String cpuKernels() {
        return forward instanceof LlamaForward f ? f.kernels() : "none";
    }

    /** CPU kernel threads (0 with a device forward pass). */
    public int threads() {
        return parallel == null ? 0 : parallel.threads();
    }

    /** The forward pass: the CPU kernels or a device's. */
    public ForwardPass forwardPass() {
        return forward;
    }

    /** Where the forward pass runs, for logs. */
    public String backend() {
        return forward.describe();
    }

    /**
     * Appends the K/V of {@code tokens} to the sequence, starting at position {@code seq.length()},
     * and returns the logits after the last token (length vocabSize). A prompt whose start may be
     * cached goes through {@link KvBlockPool#reuseCachedPrefix} first and passes the rest here; a
     * long prompt may be passed in pieces, one call each.
     *
     * @throws KvCapacityException            when the pool has too few free blocks (the sequence is unchanged)
     * @throws ContextLengthExceededException when the sequence would outgrow the context length
     */
    public float[] prefill(KvSequence seq, int[] tokens) {
        return prefill(List.of(seq), List.of(tokens))[0];
    }

    /**
     * {@link #prefill(KvSequence, int[])} for several sequences at once: their tokens go through the forward pass
     * together, in chunks across sequences, so short prompts share the weight reads. Each sequence's logits are
     * the same as when it is prefilled alone.
     *
     * @throws KvCapacityException when sequence i cannot get its blocks; no sequence grew (blocks reserved for
     *                             earlier sequences stay with them)
     */
    public float[][] prefill(List<KvSequence> seqs, List<int[]> tokens) {
        int count = seqs.size();
        if (count != tokens.size()) {
            throw new IllegalArgumentException(count + " sequences but " + tokens.size() + " token arrays");
        }
        IdentityHashMap<KvSequence, Boolean> seen = new IdentityHashMap<>();
        int total = 0;
        for (int s = 0; s < count; s++) {
            int[] t = tokens.get(s);
            if (t.length == 0) {
                throw new IllegalArgumentException("prefill needs at least one token (sequence " + s + ")");
            }
            if (seen.put(seqs.get(s), Boolean.TRUE) != null) {
                throw new IllegalArgumentException("sequence " + s + " appears twice in one prefill");
            }
            checkSequence(seqs.get(s), t.length, s);
            checkTokens(t);
            total += t.length;
        }
        int[] starts = new int[count];
        int[][] tables = new int[count][];
        for (int s = 0; s < count; s++) {
            KvSequence seq = seqs.get(s);
            starts[s] = seq.length();
            int needed = starts[s] + tokens.get(s).length;
            if (!pool.reserve(seq, needed)) {
                throw new KvCapacityException("KV cache full: " + tokens.get(s).length + " prompt tokens need "
                        + (pool.blocksFor(needed) - seq.blockCount()) + " more blocks, " + pool.freeBlocks() + " free", s);
            }
            tables[s] = seq.blockIds();
        }
        float[][] logits = new float[count][];
        int chunkSize = forward.prefillChunk();
        int seqIndex = 0;
        int offset = 0; // next token of seqs[seqIndex]
        for (int done = 0; done < total;) {
            int n = Math.min(chunkSize, total - done);
            int[] chunk = new int[n];
            int[] positions = new int[n];
            int[][] chunkTables = new int[n][];
            boolean[] want = new boolean[n];
            int[] owner = new int[n];
            for (int i = 0; i < n; i++) {
                int[] t = tokens.get(seqIndex);
                chunk[i] = t[offset];
                positions[i] = starts[seqIndex] + offset;
                chunkTables[i] = tables[seqIndex];
                owner[i] = seqIndex;
                want[i] = offset == t.length - 1;
                if (++offset == t.length) {
                    seqIndex++;
                    offset = 0;
                }
            }
            float[][] out = forward.forward(new ForwardBatch(chunk, positions, chunkTables, want, true));
            // each sequence's run of this chunk joins it (and the prefix cache), in order
            for (int i = 0; i < n;) {
                int s = owner[i];
                int from = i;
                while (i < n && owner[i] == s) {
                    i++;
                }
                pool.append(seqs.get(s), Arrays.copyOfRange(chunk, from, i));
                if (want[i - 1]) {
                    logits[s] = out[i - 1];
                }
            }
            done += n;
        }
        return logits;
    }

    /**
     * One decoding step for a batch: token i goes at position {@code seqs.get(i).length()} of
     * sequence i, whose length then grows by one. Returns the logits per sequence.
     *
     * @throws KvCapacityException when a sequence cannot get its next block; no sequence grew
     *                             (blocks reserved for earlier sequences stay with them, for their next step)
     */
    public float[][] decodeStep(List<KvSequence> seqs, int[] tokens) {
        return step(seqs, tokens, forward::forward, new float[0][]);
    }

    /**
     * {@link #decodeStep} with greedy sampling where the forward pass runs: the next token of each
     * sequence (the argmax of its logits) instead of the logits, which then need not leave the device.
     */
    public int[] decodeGreedy(List<KvSequence> seqs, int[] tokens) {
        return step(seqs, tokens, forward::greedy, new int[0]);
    }

    private <R> R step(List<KvSequence> seqs, int[] tokens, Function<ForwardBatch, R> pass, R empty) {
        int n = seqs.size();
        if (n != tokens.length) {
            throw new IllegalArgumentException(n + " sequences but " + tokens.length + " tokens");
        }
        if (n == 0) {
            return empty;
        }
        checkTokens(tokens);
        IdentityHashMap<KvSequence, Boolean> seen = new IdentityHashMap<>();
        for (int i = 0; i < n; i++) {
            KvSequence seq = seqs.get(i);
            if (seen.put(seq, Boolean.TRUE) != null) {
                throw new IllegalArgumentException("sequence " + i + " appears twice in one decode step");
            }
            checkSequence(seq, 1, i);
        }
        for (int i = 0; i < n; i++) {
            KvSequence seq = seqs.get(i);
            if (!pool.reserve(seq, seq.length() + 1)) {
                throw new KvCapacityException("KV cache full: sequence " + i + " needs a new block, none free", i);
            }
        }
        int[] positions = new int[n];
        int[][] tables = new int[n][];
        boolean[] want = new boolean[n];
        for (int i = 0; i < n; i++) {
            positions[i] = seqs.get(i).length();
            tables[i] = seqs.get(i).blockIds();
            want[i] = true;
        }
        R result = pass.apply(new ForwardBatch(tokens.clone(), positions, tables, want, false));
        for (int i = 0; i < n; i++) {
            pool.append(seqs.get(i), new int[] {tokens[i]});
        }
        return result;
    }

    private void checkSequence(KvSequence seq, int adding, int index) {
        if (seq.pool() != pool) {
            throw new IllegalArgumentException("sequence " + index + " belongs to another KV pool");
        }
        if ((long) seq.length() + adding > cfg.contextLength()) {
            throw new ContextLengthExceededException("sequence " + index + " would reach " + (seq.length() + adding)
                    + " positions; the model's context length is " + cfg.contextLength());
        }
    }

    private void checkTokens(int[] tokens) {
        for (int t : tokens) {
            if (t < 0 || t >= cfg.vocabSize()) {
                throw new IllegalArgumentException("token id " + t + " outside the vocabulary 0.." + (cfg.vocabSize() - 1));
            }
        }
    }

    /** Stops the worker threads or releases the device (the model and a CPU pool are not closed). */
    @Override
    public void close() {
        forward.close();
        if (parallel != null) {
            parallel.close();
        }
    }
}
