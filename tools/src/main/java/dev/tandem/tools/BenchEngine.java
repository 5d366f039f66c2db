package dev.tandem.tools;

import dev.tandem.engine.CpuKernels;
import dev.tandem.engine.KvPrecision;
import dev.tandem.engine.LlamaEngine;
import dev.tandem.engine.LoadedModel;
import dev.tandem.model.ModelConfig;
import dev.tandem.engine.ModelLoader;
import dev.tandem.engine.cuda.CudaForward;
import dev.tandem.engine.cuda.EngineBackend;
import dev.tandem.engine.cuda.EngineFactory;
import dev.tandem.gguf.GgufFile;
import dev.tandem.gguf.GgufTensorInfo;
import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.engine.sampling.Sampler;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code BenchEngine MODEL.gguf [--backend cpu|cuda|auto] [--cpu-kernels auto|java|native[,…]] [--threads N] [--runs R]
 * [--prompt 128] [--decode 64] [--batch 8[,64…]] [--warmup 3] [--no-bandwidth]}: the engine's throughput in-process
 * (no HTTP, no gRPC), run by {@code scripts/bench-engine.sh}. With several CPU kernel sets
 * ({@code --cpu-kernels java,native}) each is measured in turn in the same process, alternating run by run, and a
 * comparison table ends the output.
 *
 * <p>One run: prefill a {@code prompt}-token prompt (prefill tokens/s), decode {@code decode}
 * tokens greedily at batch 1 (decode tokens/s), then, for each batch size, decode {@code decode}
 * steps for that many sequences that share that prompt's KV (aggregate tokens/s). Greedy sampling
 * runs where the forward pass does (on the GPU with {@code cuda}). Warm-up runs (JIT compilation,
 * CUDA graph capture; at least one, for at least {@code --warmup} seconds) are discarded; the
 * medians of the measured runs are reported, and batch-1 decoding as a fraction of the measured
 * bandwidth (host memory reads on CPU, a large device-to-device copy on CUDA). Also the decode figures of the
 * fastest single step of all runs (a second table; {@code decode_best_step_tps}, {@code decode_batch8_best_step_tps}):
 * on a shared, overloaded machine the step least delayed by other processes is the steadier comparison. Prints
 * human-readable lines and, last, one JSON line
 * {@code {"backend":…,"prefill_tps":…,"decode_tps":…,"decode_batch8_tps":…,…,"bandwidth_fraction":…,"threads":…}}.
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
        int[] batches = {8};
        EngineBackend backend = EngineBackend.CPU;
        List<CpuKernels> kernelSets = List.of(CpuKernels.fromSystemProperty());
        boolean bandwidth = true;
        double warmupSeconds = 3;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--threads" -> threads = positive(args, ++i);
                    case "--runs" -> runs = positive(args, ++i);
                    case "--prompt" -> promptLen = positive(args, ++i);
                    case "--decode" -> decodeLen = positive(args, ++i);
                    case "--batch" -> batches = positives(args, ++i);
                    case "--backend" -> {
                        if (++i >= args.length) {
                            throw new IllegalArgumentException("--backend needs a value (cpu, cuda, auto)");
                        }
                        backend = EngineBackend.parse(args[i]);
                    }
                    case "--no-bandwidth" -> bandwidth = false;
                    case "--cpu-kernels" -> {
                        if (++i >= args.length) {
                            throw new IllegalArgumentException("--cpu-kernels needs a value (auto, java, native, or several comma-separated)");
                        }
                        kernelSets = Arrays.stream(args[i].split(",")).map(CpuKernels::parse).toList();
                    }
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
            System.err.println("usage: bench-engine.sh MODEL.gguf [--backend cpu|cuda|auto] [--cpu-kernels auto|java|native[,…]] [--threads N] [--runs R] [--prompt N] [--decode N] [--batch N[,N…]] [--warmup SECONDS] [--no-bandwidth]");
            System.exit(2);
            return;
        }

        long weightBytes = weightBytesPerToken(model);
        int maxBatch = Arrays.stream(batches).max().orElse(1);
        try (LoadedModel m = ModelLoader.load(Optional.of(model))) {
            ModelConfig cfg = m.config();
            if (promptLen + decodeLen > cfg.contextLength()) {
                throw new IllegalArgumentException("prompt + decode (" + (promptLen + decodeLen) + ") exceeds the context length " + cfg.contextLength());
            }
            int perSeq = Math.ceilDiv(promptLen + decodeLen, KvBlockPool.DEFAULT_BLOCK_SIZE);
            long kvBytes = perSeq * (maxBatch + 1L) * KvBlockPool.bytesPerBlock(cfg, KvBlockPool.DEFAULT_BLOCK_SIZE);
            CudaForward.Options cuda = new CudaForward.Options(Optional.empty(), 0,
                    Math.max(CudaForward.Options.DEFAULT_MAX_TOKENS, maxBatch), true);
            System.out.printf(Locale.ROOT, "model %s: %s, dim %d, %d layers, %d/%d heads, ff %d, vocab %d; weights %s%n",
                    model.getFileName(), cfg.architecture(), cfg.dim(), cfg.numLayers(), cfg.numHeads(), cfg.numKvHeads(),
                    cfg.hiddenDim(), cfg.vocabSize(), m.weights().layers().getFirst().wq().type());
            int[] prompt = prompt(cfg, promptLen);
            int sets = kernelSets.size();
            LlamaEngine[] engines = new LlamaEngine[sets];
            double[][] prefill = new double[sets][runs];
            double[][] decode = new double[sets][runs];
            double[][][] batched = new double[sets][batches.length][runs];
            double[][] decodeBest = new double[sets][runs];
            double[][][] batchedBest = new double[sets][batches.length][runs];
            try {
                for (int k = 0; k < sets; k++) {
                    engines[k] = EngineFactory.open(m, new EngineFactory.Options(backend, threads, kvBytes, OptionalInt.empty(),
                            KvBlockPool.DEFAULT_BLOCK_SIZE, true, KvPrecision.F32, cuda, kernelSets.get(k)));
                }
                boolean gpu = engines[0].forwardPass() instanceof CudaForward;
                for (int k = 0; k < sets; k++) {
                    System.out.printf(Locale.ROOT, "engine on %s; %d-token prompt, %d decoded tokens, batches %s, medians of %d runs after warm-up%n",
                            engines[k].backend(), promptLen, decodeLen, Arrays.toString(batches), runs);
                    // Warm-up (JIT compilation, graph capture): at least one run and --warmup seconds.
                    long warmStart = System.nanoTime();
                    int warm = 0;
                    while (warm == 0 || System.nanoTime() - warmStart < warmupSeconds * 1e9) {
                        double[] result = run(engines[k], prompt, decodeLen, batches);
                        warm++;
                        System.out.printf(Locale.ROOT, "warm-up %d [%s]: %s%n", warm, engines[k].cpuKernels(), describe(result, batches));
                    }
                }
                // Kernel sets alternate run by run, so drifting load on a shared machine affects them alike.
                for (int r = 0; r < runs; r++) {
                    for (int k = 0; k < sets; k++) {
                        double[] result = run(engines[k], prompt, decodeLen, batches);
                        prefill[k][r] = result[0];
                        decode[k][r] = result[1];
                        decodeBest[k][r] = result[2 + batches.length];
                        for (int b = 0; b < batches.length; b++) {
                            batched[k][b][r] = result[2 + b];
                            batchedBest[k][b][r] = result[3 + batches.length + b];
                        }
                        System.out.printf(Locale.ROOT, "run %d [%s]: %s%n", r + 1, engines[k].cpuKernels(), describe(result, batches));
                    }
                }
                double bw = Double.NaN;
                if (bandwidth) {
                    if (gpu) {
                        bw = ((CudaForward) engines[0].forwardPass()).copyBandwidth();
                        System.out.printf(Locale.ROOT, "device bandwidth (1 GiB device-to-device copy, read + write, best of 10): %.1f GB/s%n", bw / 1e9);
                    } else {
                        bw = MemoryBandwidth.measure(1L << 30, threads, 5);
                        System.out.printf(Locale.ROOT, "memory read bandwidth (%d threads, best of 5): %.1f GB/s%n", threads, bw / 1e9);
                    }
                }
                List<String> table = new ArrayList<>();
                List<String> jsonLines = new ArrayList<>();
                List<String> bestTable = new ArrayList<>();
                for (int k = 0; k < sets; k++) {
                    String kernels = gpu ? "cuda" : engines[k].cpuKernels();
                    double p = median(prefill[k]);
                    double d = median(decode[k]);
                    double[] medians = new double[2 + batches.length];
                    medians[0] = p;
                    medians[1] = d;
                    for (int b = 0; b < batches.length; b++) {
                        medians[2 + b] = median(batched[k][b]);
                    }
                    System.out.printf(Locale.ROOT, "[%s] %s (medians of %d)%n", kernels, describe(medians, batches), runs);
                    System.out.printf(Locale.ROOT, "[%s] weights read per decoded token: %.3f GB; at %.2f tok/s that is %.1f GB/s%n",
                            kernels, weightBytes / 1e9, d, weightBytes * d / 1e9);
                    double fraction = Double.NaN;
                    if (!Double.isNaN(bw)) {
                        fraction = weightBytes * d / bw;
                        System.out.printf(Locale.ROOT, "[%s] batch-1 decoding reads weights at %.1f%% of that bandwidth; weight-bandwidth ceiling %.1f tok/s%n",
                                kernels, 100 * fraction, bw / weightBytes);
                    }
                    StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %-14s | %8.2f | %8.2f |", kernels, p, d));
                    StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                            "{\"backend\":\"%s\",\"cpu_kernels\":\"%s\",\"prefill_tps\":%.2f,\"decode_tps\":%.2f",
                            gpu ? "cuda" : "cpu", kernels, p, d));
                    for (int b = 0; b < batches.length; b++) {
                        json.append(String.format(Locale.ROOT, ",\"decode_batch%d_tps\":%.2f", batches[b], medians[2 + b]));
                        row.append(String.format(Locale.ROOT, " %8.2f (%.1fx) |", medians[2 + b], medians[2 + b] / d));
                    }
                    json.append(Double.isNaN(fraction) ? "" : String.format(Locale.ROOT, ",\"bandwidth_fraction\":%.3f", fraction));
                    json.append(String.format(Locale.ROOT, ",\"threads\":%d}", gpu ? 0 : threads));
                    row.append(Double.isNaN(fraction) ? "   – |" : String.format(Locale.ROOT, " %5.1f%% |", 100 * fraction));
                    table.add(row.toString());
                    double db = max(decodeBest[k]);
                    StringBuilder bestRow = new StringBuilder(String.format(Locale.ROOT, "| %-14s |          | %8.2f |", kernels, db));
                    for (int b = 0; b < batches.length; b++) {
                        double bb = max(batchedBest[k][b]);
                        bestRow.append(String.format(Locale.ROOT, " %8.2f (%.1fx) |", bb, bb / db));
                        json.insert(json.length() - 1, String.format(Locale.ROOT, ",\"decode_batch%d_best_step_tps\":%.2f", batches[b], bb));
                    }
                    json.insert(json.length() - 1, String.format(Locale.ROOT, ",\"decode_best_step_tps\":%.2f", db));
                    bestRow.append(Double.isNaN(bw) ? "   – |" : String.format(Locale.ROOT, " %5.1f%% |", 100 * weightBytes * db / bw));
                    bestTable.add(bestRow.toString());
                    jsonLines.add(json.toString());
                }
                StringBuilder header = new StringBuilder("| kernels        |  prefill | decode 1 |");
                for (int b : batches) {
                    header.append(String.format(Locale.ROOT, " batch %-2d aggregate |", b));
                }
                header.append(" b1 bw |");
                System.out.println(header);
                table.forEach(System.out::println);
                System.out.println("fastest single step of all runs (least disturbed by other processes):");
                System.out.println(header);
                bestTable.forEach(System.out::println);
                // last, one line per kernel set: what scripts read
                jsonLines.forEach(System.out::println);
            } finally {
                for (LlamaEngine e : engines) {
                    if (e != null) {
                        e.close();
                    }
                }
            }
        }
    }

    private static String describe(double[] result, int[] batches) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "prefill %.2f tok/s, decode %.2f tok/s", result[0], result[1]));
        for (int b = 0; b < batches.length; b++) {
            s.append(String.format(Locale.ROOT, ", batch-%d decode %.2f tok/s", batches[b], result[2 + b]));
        }
        if (result.length > 2 + batches.length) {
            s.append(String.format(Locale.ROOT, "; fastest step: decode %.2f", result[2 + batches.length]));
            for (int b = 0; b < batches.length; b++) {
                s.append(String.format(Locale.ROOT, ", batch-%d %.2f", batches[b], result[3 + batches.length + b]));
            }
            s.append(" tok/s");
        }
        return s.toString();
    }

    /**
     * {prefill tok/s, decode tok/s, aggregate tok/s per batch size, then the same decode figures from the fastest
     * single step (batch 1, then each batch size)} of one run. On a shared, overloaded machine the fastest step is
     * the one least delayed by other processes.
     */
    private static double[] run(LlamaEngine engine, int[] prompt, int decodeLen, int[] batches) {
        KvBlockPool pool = engine.pool();
        double[] result = new double[3 + 2 * batches.length];
        KvSequence seq = pool.newSequence();
        try {
            long t0 = System.nanoTime();
            float[] logits = engine.prefill(seq, prompt);
            result[0] = prompt.length / ((System.nanoTime() - t0) / 1e9);
            int first = Sampler.argmax(logits);
            int n = batches.length;
            for (int b = 0; b < n; b++) {
                double[] agg = batched(engine, seq, first, decodeLen, batches[b]);
                result[2 + b] = agg[0];
                result[3 + n + b] = agg[1];
            }
            int[] token = {first};
            t0 = System.nanoTime();
            long best = Long.MAX_VALUE;
            for (int i = 0; i < decodeLen; i++) {
                long s = System.nanoTime();
                token = engine.decodeGreedy(List.of(seq), token);
                best = Math.min(best, System.nanoTime() - s);
            }
            result[1] = decodeLen / ((System.nanoTime() - t0) / 1e9);
            result[2 + n] = 1e9 / best;
            return result;
        } finally {
            pool.free(seq);
        }
    }

    /** {aggregate tokens/s, aggregate tokens/s of the fastest step} of {@code batch} copies of {@code seq} decoded together. */
    private static double[] batched(LlamaEngine engine, KvSequence seq, int first, int decodeLen, int batch) {
        KvBlockPool pool = engine.pool();
        List<KvSequence> clones = new ArrayList<>();
        try {
            for (int b = 0; b < batch; b++) {
                clones.add(fork(pool, seq));
            }
            int vocab = engine.config().vocabSize();
            int[] tokens = new int[batch];
            for (int b = 0; b < batch; b++) {
                tokens[b] = (first + b) % vocab;
            }
            long t0 = System.nanoTime();
            long best = Long.MAX_VALUE;
            for (int i = 0; i < decodeLen; i++) {
                long s = System.nanoTime();
                tokens = engine.decodeGreedy(clones, tokens);
                best = Math.min(best, System.nanoTime() - s);
            }
            return new double[] {(double) batch * decodeLen / ((System.nanoTime() - t0) / 1e9), batch * 1e9 / best};
        } finally {
            clones.forEach(pool::free);
        }
    }

    /** A new sequence holding a copy of {@code seq}'s KV (as if it had been given the same prompt), wherever the pool keeps it. */
    private static KvSequence fork(KvBlockPool pool, KvSequence seq) {
        KvSequence copy = pool.newSequence();
        if (!pool.reserve(copy, seq.length())) {
            throw new IllegalStateException("KV pool too small for the benchmark");
        }
        for (int i = 0; i < seq.blockCount(); i++) {
            int tokens = pool.tokensInBlock(seq, i);
            ByteBuffer keys = ByteBuffer.allocate(pool.transferBytes(tokens));
            ByteBuffer values = ByteBuffer.allocate(pool.transferBytes(tokens));
            pool.exportBlock(seq, i, keys, values);
            pool.importBlock(copy, i, tokens, keys.flip(), values.flip());
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

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static int[] positives(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        int[] values = Arrays.stream(args[i].split(",")).mapToInt(Integer::parseInt).toArray();
        if (values.length == 0 || Arrays.stream(values).anyMatch(v -> v < 1)) {
            throw new IllegalArgumentException(args[i - 1] + " takes positive numbers, comma-separated");
        }
        return values;
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
