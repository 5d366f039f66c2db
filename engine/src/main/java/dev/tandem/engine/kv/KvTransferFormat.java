package dev.tandem.engine.kv;

import dev.tandem.model.ModelConfig;

/**
 * How a KV block travels between workers (PullKv, from prefill to decode) and what blocks cost: the K and V data of
 * one block, for the positions it uses, each layer-major, then position, then {@code kvDim} float32 little-endian.
 * Every store writes and reads blocks in this format, so a block moves between host and device pools unchanged.
 */
public record KvTransferFormat(int numLayers, int kvDim, int blockSize) {

    public KvTransferFormat {
        if (numLayers <= 0 || kvDim <= 0 || blockSize <= 0) {
            throw new IllegalArgumentException("bad KV block shape: layers " + numLayers + ", kvDim " + kvDim
                    + ", block size " + blockSize);
        }
        if ((long) blockSize * kvDim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("block size " + blockSize + " x kvDim " + kvDim + " too large");
        }
    }

    public static KvTransferFormat of(ModelConfig cfg, int blockSize) {
        return new KvTransferFormat(cfg.numLayers(), cfg.kvDim(), blockSize);
    }

    /** Bytes of K (and as many of V) for a block holding {@code tokens} positions. */
    public int transferBytes(int tokens) {
        return Math.multiplyExact(numLayers * tokens, kvDim * Float.BYTES);
    }

    /** Floats of one layer's K (or V) in one block: {@code blockSize} positions of {@code kvDim}. */
    int floatsPerLayer() {
        return blockSize * kvDim;
    }

    /** Bytes one block takes (K and V, all layers), wherever it lives. */
    public long bytesPerBlock() {
        return 2L * numLayers * blockSize * kvDim * Float.BYTES;
    }

    /** Blocks that fit in {@code budgetBytes} (at least one). */
    public int blocksForBudget(long budgetBytes) {
        long blocks = Math.max(1, budgetBytes / bytesPerBlock());
        return (int) Math.min(blocks, Integer.MAX_VALUE - 8);
    }

    /** Whether this is the layout of blocks another worker sends: the same model, the same block size. */
    public boolean sameAs(int numLayers, int kvDim, int blockSize) {
        return this.numLayers == numLayers && this.kvDim == kvDim && this.blockSize == blockSize;
    }
}
