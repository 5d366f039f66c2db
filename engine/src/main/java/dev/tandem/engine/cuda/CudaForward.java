package dev.tandem.engine.cuda;

import dev.tandem.engine.ForwardBatch;
import dev.tandem.engine.ForwardPass;
import dev.tandem.engine.KvPrecision;
import dev.tandem.engine.LoadedModel;
import dev.tandem.model.ModelConfig;
import dev.tandem.model.UnsupportedModelException;
import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvTransferFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.nio.file.Path;

/**
 * The forward pass on an NVIDIA GPU: weights uploaded once, the paged KV cache in device memory (its
 * block ids allocated by {@link #pool()}), each step one launch sequence of {@code libtandem_cuda.so}'s
 * kernels (a CUDA graph for decode steps), logits or greedy tokens copied back. KV blocks move between
 * workers through a pinned host staging buffer ({@link DeviceKvStore}).
 *
 * <p>Thread-safety: forward passes are serialised by the engine's caller; KV block transfers may run
 * from other threads meanwhile (on other sequences' blocks), on their own stream and staging.
 */
public final class CudaForward implements ForwardPass {

    /**
     * @param library   libtandem_cuda.so, or empty to search (see {@link CudaNative#load})
     * @param device    CUDA device index
     * @param maxTokens entries per forward call: the prompt chunk, and the decode batch processed at once
     * @param graphs    capture decode steps as CUDA graphs (one per batch size)
     */
    public record Options(Optional<Path> library, int device, int maxTokens, boolean graphs) {

        public static final int DEFAULT_MAX_TOKENS = 256;

        public Options {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("tandem.engine.cuda.max-tokens must be at least 1, not " + maxTokens);
            }
        }

        public static Options defaults() {
            return new Options(Optional.empty(), 0, DEFAULT_MAX_TOKENS, true);
        }
    }

    private final ModelConfig cfg;
    private final CudaDevices.Device device;
    private final String architectures;
    private final DeviceWeights weights;
    private final int maxTokens;
    private final long handle;
    private final KvBlockPool pool;
    private boolean closed;

    private CudaForward(ModelConfig cfg, CudaDevices.Device device, String architectures, DeviceWeights weights,
                        int maxTokens, long handle, int blockSize, int numBlocks, boolean prefixCaching) {
        this.cfg = cfg;
        this.device = device;
        this.architectures = architectures;
        this.weights = weights;
        this.maxTokens = maxTokens;
        this.handle = handle;
        KvTransferFormat format = KvTransferFormat.of(cfg, blockSize);
        this.pool = new KvBlockPool(format, numBlocks, prefixCaching, new DeviceKvStore(handle, format));
    }

    /**
     * Puts the model on the GPU with a KV cache of {@code numBlocks} blocks of {@code blockSize} positions.
     *
     * @throws CudaException             when there is no driver or device, the driver is too old, the library is
     *                                   missing or has no code for this GPU, or device memory is short, saying which
     * @throws UnsupportedModelException for weight types without device kernels
     */
    public static CudaForward open(LoadedModel model, Options options, KvPrecision precision, int numBlocks,
                                   int blockSize, boolean prefixCaching) {
        ModelConfig cfg = model.config();
        List<DeviceWeights.Tensor> tensors = DeviceWeights.tensors(model.weights());
        if (cfg.headDim() > 256 || cfg.headDim() % 2 != 0) {
            throw new UnsupportedModelException("head dimension " + cfg.headDim() + " is not supported by the CUDA kernels (even, at most 256)");
        }
        CudaDevices.Device device = CudaDevices.probe(options.device());
        Path library = CudaNative.load(options.library());
        String archs = CudaNative.architectures();
        if (!CudaBuild.runs(archs, device.major(), device.minor())) {
            throw new CudaException(CudaException.Kind.NO_KERNEL_IMAGE, device + " has compute capability " + device.major()
                    + "." + device.minor() + ", but " + library + " holds code for " + archs
                    + " only: rebuild it with TANDEM_CUDA_ARCHS=" + device.major() + device.minor() + " src-native/build.sh", null);
        }
        int runtime = CudaNative.runtimeVersion();
        if (device.driverVersion() < runtime) {
            throw new CudaException(CudaException.Kind.DRIVER_TOO_OLD, "the NVIDIA driver supports CUDA up to "
                    + CudaDevices.version(device.driverVersion()) + ", but " + library + " was built with CUDA "
                    + CudaDevices.version(runtime) + ": update the driver, or build the library with an older CUDA toolkit", null);
        }
        CudaNative.setDevice(device.index());

        int tableStride = Math.min(Math.ceilDiv(cfg.contextLength(), blockSize), numBlocks);
        long weightBytes = DeviceWeights.bytes(tensors);
        long kvBytes = numBlocks * KvTransferFormat.of(cfg, blockSize).bytesPerBlock();
        long activationBytes = activationBytes(cfg, options.maxTokens(), tableStride);
        long free = CudaDevices.memory(device.index())[0];
        if (weightBytes + kvBytes + activationBytes > free) {
            throw new CudaException(CudaException.Kind.OUT_OF_MEMORY, "out of device memory on " + device + ": the weights need "
                    + gib(weightBytes) + ", the KV cache " + gib(kvBytes) + " (tandem.kv.budget-mb or num-blocks), activations "
                    + gib(activationBytes) + " (tandem.engine.cuda.max-tokens), but only " + gib(free) + " is free", null);
        }
        DeviceWeights weights = DeviceWeights.upload(tensors);
        try {
            ModelDescriptor.Layout layout = new ModelDescriptor.Layout(blockSize, numBlocks, tableStride, options.maxTokens(),
                    precision == KvPrecision.F16_ROUNDED, options.graphs());
            ModelDescriptor desc = ModelDescriptor.of(cfg, model.weights(), layout, weights::pointer);
            long handle = CudaNative.createModel(desc.ints(), desc.floats(), desc.pointers());
            return new CudaForward(cfg, device, archs, weights, options.maxTokens(), handle, blockSize, numBlocks,
                    prefixCaching);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** Device memory of the forward pass's buffers besides weights and KV: activations, logits, block tables. */
    static long activationBytes(ModelConfig cfg, int maxTokens, int tableStride) {
        long qDim = (long) cfg.numHeads() * cfg.headDim();
        long maxCols = Math.max(cfg.dim(), Math.max(qDim, cfg.hiddenDim()));
        long floats = 2L * cfg.dim() + 2 * qDim + 2L * cfg.kvDim() + 2L * cfg.hiddenDim() + cfg.vocabSize() + maxCols + maxCols / 32;
        return (long) maxTokens * (floats * Float.BYTES + maxCols + (4L + tableStride) * Integer.BYTES);
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    /** The KV cache: block allocation here, K/V data on the device. */
    public KvBlockPool pool() {
        return pool;
    }

    public CudaDevices.Device device() {
        return device;
    }

    /** {free, total} bytes of device memory. */
    public long[] deviceMemory() {
        return CudaDevices.memory(device.index());
    }

    /** Bytes per second of a large device-to-device copy (read plus write): the benchmark's bandwidth reference. */
    public double copyBandwidth() {
        return CudaNative.copyBandwidth(1L << 30, 10);
    }

    @Override
    public int prefillChunk() {
        return maxTokens;
    }

    @Override
    public String describe() {
        return device + ", kernels " + architectures;
    }

    @Override
    public float[][] forward(ForwardBatch batch) {
        float[][] out = new float[batch.size()][];
        run(batch, out, null);
        return out;
    }

    @Override
    public int[] greedy(ForwardBatch batch) {
        int[] out = new int[batch.size()];
        run(batch, null, out);
        return out;
    }

    /** Decode batches larger than the device buffers go in slices (their entries are independent). */
    private void run(ForwardBatch batch, float[][] logits, int[] tokens) {
        int n = batch.size();
        if (batch.prompt() && n > maxTokens) {
            throw new IllegalArgumentException("prompt chunk of " + n + " tokens exceeds tandem.engine.cuda.max-tokens " + maxTokens);
        }
        for (int from = 0; from < n; from += maxTokens) {
            slice(batch, from, Math.min(n, from + maxTokens), logits, tokens);
        }
    }

    private void slice(ForwardBatch batch, int from, int to, float[][] logits, int[] tokens) {
        int n = to - from;
        int stride = 1;
        int wanted = 0;
        for (int i = from; i < to; i++) {
            stride = Math.max(stride, batch.blockTables()[i].length);
            wanted += batch.wantLogits()[i] ? 1 : 0;
        }
        int[] tables = new int[n * stride];
        int[] want = new int[wanted];
        for (int i = from, j = 0; i < to; i++) {
            int[] table = batch.blockTables()[i];
            System.arraycopy(table, 0, tables, (i - from) * stride, table.length);
            if (batch.wantLogits()[i]) {
                want[j++] = i - from;
            }
        }
        float[][] rows = logits != null ? new float[wanted][cfg.vocabSize()] : null;
        int[] greedy = tokens != null ? new int[wanted] : null;
        CudaNative.forward(handle, n, java.util.Arrays.copyOfRange(batch.tokens(), from, to),
                java.util.Arrays.copyOfRange(batch.positions(), from, to), tables, stride, want, wanted, batch.prompt(),
                rows, greedy);
        for (int j = 0; j < wanted; j++) {
            if (rows != null) {
                logits[from + want[j]] = rows[j];
            } else {
                tokens[from + want[j]] = greedy[j];
            }
        }
    }

    /** Frees the device model, its KV cache and weights. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            CudaNative.destroyModel(handle);
            weights.close();
        }
    }
}
