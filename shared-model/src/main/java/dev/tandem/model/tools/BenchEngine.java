package dev.tandem.model.tools;

import dev.tandem.model.engine.LlamaEngine;
import dev.tandem.model.engine.LoadedModel;
import dev.tandem.model.engine.ModelConfig;
import dev.tandem.model.engine.ModelLoader;
import dev.tandem.model.gguf.GgufFile;
import dev.tandem.model.gguf.GgufTensorInfo;
import dev.tandem.model.kv.KvBlockPool;
import dev.tandem.model.kv.KvSequence;
import dev.tandem.model.sampling.Sampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code BenchEngine MODEL.gguf [--threads N] [--runs R] [--prompt 128] [--decode 64] [--batch 8] [--warmup 3] [--no-bandwidth]}:
 * the engine's throughput in-process (no HTTP, no gRPC), run by {@code scripts/bench-engine.sh}.
 *
 * <p>One run: prefill a {@code prompt}-token prompt (prefill tokens/s), decode {@code decode}
 * tokens greedily at batch 1 (decode tokens/s), then decode {@code decode} steps for {@code batch}
 * sequences that share that prompt's KV (aggregate tokens/s). Warm-up runs (JIT compilation; at
 * least one, for at least {@code --warmup} seconds) are discarded; the medians of the measured
 * runs are reported. Prints human-readable lines and,
 * last, one JSON line {@code {"prefill_tps":…,"decode_tps":…,"decode_batch8_tps":…,"threads":…}}.
 */
public final class BenchEngine {

    private BenchEngine() {
    }

    public static void main(String[] args) throws Exception {
        Path model = null;
        int threads = Runtime.getRuntime().availableProcessors();
        int runs = 3;
        int promptLen = 128;
        int decodeLen = 64;
        int batch = 8;
        boolean bandwidth = true;
        double warmupSeconds = 3;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--threads" -> threads = positive(args, ++i);
                    case "--runs" -> runs = positive(args, ++i);
                    case "--prompt" -> promptLen = positive(args, ++i);
                    case "--decode" -> decodeLen = positive(args, ++i);
                    case "--batch" -> batch = positive(args, ++i);
                    case "--no-bandwidth" -> bandwidth = false;
                    case "--warmup" -> {
                        if (++i >= args.length) {
                            throw new IllegalArgumentException("--warmup needs a value (seconds)");
                        }
                        warmupSeconds = Double.parseDouble(args[i]);
                    }
                    default -> {
                        if (args[i].startsWith("-") || model != null) {
                            throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
                        }
                        model = Path.of(args[i]);
                    }
                }
            }
            if (model == null) {
                throw new IllegalArgumentException("MODEL.gguf is required");
            }
            if (!Files.isRegularFile(model)) {
                throw new IllegalArgumentException(model + " is not a file");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bench-engine: " + e.getMessage());
            System.err.println("usage: bench-engine.sh MODEL.gguf [--threads N] [--runs R] [--prompt N] [--decode N] [--batch N] [--warmup SECONDS] [--no-bandwidth]");
            System.exit(2);
            return;
        }

        long weightBytes = weightBytesPerToken(model);
        try (LoadedModel m = ModelLoader.load(Optional.of(model), true)) {
            ModelConfig cfg = m.config();
            if (promptLen + decodeLen > cfg.contextLength()) {
                throw new IllegalArgumentException("prompt + decode (" + (promptLen + decodeLen) + ") exceeds the context length " + cfg.contextLength());
            }
            int perSeq = Math.ceilDiv(promptLen + decodeLen, KvBlockPool.DEFAULT_BLOCK_SIZE);
            KvBlockPool pool = new KvBlockPool(cfg.numLayers(), cfg.kvDim(), KvBlockPool.DEFAULT_BLOCK_SIZE, perSeq * (batch + 1));
            System.out.printf(Locale.ROOT, "model %s: %s, dim %d, %d layers, %d/%d heads, ff %d, vocab %d; weights %s%n",
                    model.getFileName(), cfg.architecture(), cfg.dim(), cfg.numLayers(), cfg.numHeads(), cfg.numKvHeads(),
                    cfg.hiddenDim(), cfg.vocabSize(), m.weights().layers().getFirst().wq().type());
            System.out.printf(Locale.ROOT, "threads %d, %d-token prompt, %d decoded tokens, batch %d, medians of %d runs after warm-up%n",
                    threads, promptLen, decodeLen, batch, runs);
            int[] prompt = prompt(cfg, promptLen);
            double[] prefill = new double[runs];
            double[] decode = new double[runs];
            double[] batched = new double[runs];
            try (LlamaEngine engine = new LlamaEngine(m, pool, threads)) {
                // Warm-up (JIT compilation): at least one run and --warmup seconds.
                long warmStart = System.nanoTime();
                int warm = 0;
                while (warm == 0 || System.nanoTime() - warmStart < warmupSeconds * 1e9) {
                    double[] result = run(engine, pool, prompt, decodeLen, batch);
                    warm++;
                    System.out.printf(Locale.ROOT, "warm-up %d: prefill %.2f tok/s, decode %.2f tok/s, batch-%d decode %.2f tok/s%n",
                            warm, result[0], result[1], batch, result[2]);
                }
                for (int r = 0; r < runs; r++) {
                    double[] result = run(engine, pool, prompt, decodeLen, batch);
                    {
                        prefill[r] = result[0];
                        decode[r] = result[1];
                        batched[r] = result[2];
                        System.out.printf(Locale.ROOT, "run %d: prefill %.2f tok/s, decode %.2f tok/s, batch-%d decode %.2f tok/s%n",
                                r + 1, result[0], result[1], batch, result[2]);
                    }
                }
            }
            double p = median(prefill);
            double d = median(decode);
            double b = median(batched);
            System.out.printf(Locale.ROOT, "prefill %.2f tok/s, decode %.2f tok/s, batch-%d decode %.2f tok/s (medians of %d)%n",
                    p, d, batch, b, runs);
            System.out.printf(Locale.ROOT, "weights read per decoded token: %.3f GB; at %.2f tok/s that is %.1f GB/s%n",
                    weightBytes / 1e9, d, weightBytes * d / 1e9);
            if (bandwidth) {
                double bw = MemoryBandwidth.measure(1L << 30, threads, 5);
                System.out.printf(Locale.ROOT, "memory read bandwidth (%d threads, best of 5): %.1f GB/s; weight-bandwidth ceiling %.1f tok/s%n",
                        threads, bw / 1e9, bw / weightBytes);
            }
            System.out.printf(Locale.ROOT, "{\"prefill_tps\":%.2f,\"decode_tps\":%.2f,\"decode_batch%d_tps\":%.2f,\"threads\":%d}%n",
                    p, d, batch, b, threads);
        }
    }

    /** {prefill tok/s, decode tok/s, batched aggregate tok/s} of one run. */
    private static double[] run(LlamaEngine engine, KvBlockPool pool, int[] prompt, int decodeLen, int batch) {
        KvSequence seq = pool.newSequence();
        List<KvSequence> clones = new ArrayList<>();
        try {
            long t0 = System.nanoTime();
            float[] logits = engine.prefill(seq, prompt);
            double prefill = prompt.length / ((System.nanoTime() - t0) / 1e9);

            for (int b = 0; b < batch; b++) {
                clones.add(fork(pool, seq));
            }
            int first = Sampler.argmax(logits);

            int token = first;
            t0 = System.nanoTime();
            for (int i = 0; i < decodeLen; i++) {
                token = Sampler.argmax(engine.decodeStep(List.of(seq), new int[] {token})[0]);
            }
            double decode = decodeLen / ((System.nanoTime() - t0) / 1e9);

            int vocab = engine.config().vocabSize();
            int[] tokens = new int[batch];
            for (int b = 0; b < batch; b++) {
                tokens[b] = (first + b) % vocab;
            }
            t0 = System.nanoTime();
            for (int i = 0; i < decodeLen; i++) {
                float[][] out = engine.decodeStep(clones, tokens);
                for (int b = 0; b < batch; b++) {
                    tokens[b] = Sampler.argmax(out[b]);
                }
            }
            double batched = (double) batch * decodeLen / ((System.nanoTime() - t0) / 1e9);
            return new double[] {prefill, decode, batched};
        } finally {
            pool.free(seq);
            clones.forEach(pool::free);
        }
    }

    /** A new sequence holding a copy of {@code seq}'s KV (as if it had been given the same prompt). */
    private static KvSequence fork(KvBlockPool pool, KvSequence seq) {
        KvSequence copy = pool.newSequence();
        if (!pool.reserve(copy, seq.length())) {
            throw new IllegalStateException("KV pool too small for the benchmark");
        }
        for (int l = 0; l < pool.numLayers(); l++) {
            for (int i = 0; i < seq.blockCount(); i++) {
                float[] k = pool.keys(l, seq.blockId(i));
                float[] v = pool.values(l, seq.blockId(i));
                System.arraycopy(k, 0, pool.keys(l, copy.blockId(i)), 0, k.length);
                System.arraycopy(v, 0, pool.values(l, copy.blockId(i)), 0, v.length);
            }
        }
        copy.setLength(seq.length());
        return copy;
    }

    /** BOS, then a fixed spread of token ids (the same prompt for every run and model of a vocabulary). */
    private static int[] prompt(ModelConfig cfg, int n) {
        int[] tokens = new int[n];
        tokens[0] = 1;
        for (int i = 1; i < n; i++) {
            tokens[i] = 3 + (int) ((i * 7919L) % (cfg.vocabSize() - 3));
        }
        return tokens;
    }

    /** Bytes of weights a decoding step reads: every tensor but the embedding table (unless it is also the output). */
    static long weightBytesPerToken(Path model) throws java.io.IOException {
        try (GgufFile file = GgufFile.open(model)) {
            boolean tied = file.tensor("output.weight").isEmpty();
            long bytes = 0;
            for (GgufTensorInfo t : file.tensors().values()) {
                if (!t.name().equals("token_embd.weight") || tied) {
                    bytes += t.byteSize();
                }
            }
            return bytes;
        }
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static int positive(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        int v = Integer.parseInt(args[i]);
        if (v < 1) {
            throw new IllegalArgumentException(args[i - 1] + " must be at least 1");
        }
        return v;
    }
}
