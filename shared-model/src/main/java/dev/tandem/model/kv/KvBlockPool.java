package dev.tandem.model.kv;

import dev.tandem.model.engine.ModelConfig;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A paged KV cache: a fixed number of blocks, each holding K and V (float32) for
 * {@code blockSize} positions of every layer. Sequences borrow blocks through {@link #reserve}
 * and return them with {@link #free}, so memory is shared by all requests and never fragmented
 * (vLLM's PagedAttention idea).
 *
 * <p>Storage: per layer and per block one {@code float[blockSize * kvDim]} for K and one for V,
 * position-major, so a block's slice for one layer is contiguous for transfer and attention, and
 * no single Java array must hold a whole layer (no 2 GiB limit).
 *
 * <p>The data may live elsewhere, in a {@link KvBlockStore} (device memory): the pool then holds no
 * arrays, only the block allocation, and transfers go through the store.
 *
 * <p>Thread-safety: allocation and freeing are synchronized (gRPC handlers run concurrently).
 * The K/V data of a sequence is read and written only by whoever owns the sequence (the engine,
 * or a transfer), which the callers serialise.
 */
public final class KvBlockPool {

    public static final int DEFAULT_BLOCK_SIZE = 16;

    private final int numLayers;
    private final int kvDim;
    private final int blockSize;
    private final int numBlocks;
    /** keys[layer][block] = float[blockSize * kvDim]; null when the data lives in {@link #store}. */
    private final float[][][] keys;
    private final float[][][] values;
    private final KvBlockStore store;
    /** Stack of free block ids; {@code freeCount} of them are valid. */
    private final int[] freeStack;
    private int freeCount;

    public KvBlockPool(int numLayers, int kvDim, int blockSize, int numBlocks) {
        this(numLayers, kvDim, blockSize, numBlocks, null);
    }

    /** A pool whose K/V data lives in {@code store} (null: in the pool's own arrays). */
    public KvBlockPool(int numLayers, int kvDim, int blockSize, int numBlocks, KvBlockStore store) {
        if (numLayers <= 0 || kvDim <= 0 || blockSize <= 0 || numBlocks < 0) {
            throw new IllegalArgumentException("bad KV pool shape: layers " + numLayers + ", kvDim " + kvDim
                    + ", block size " + blockSize + ", blocks " + numBlocks);
        }
        if ((long) blockSize * kvDim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("block size " + blockSize + " x kvDim " + kvDim + " too large");
        }
        this.numLayers = numLayers;
        this.kvDim = kvDim;
        this.blockSize = blockSize;
        this.numBlocks = numBlocks;
        this.store = store;
        this.keys = store != null ? null : new float[numLayers][numBlocks][];
        this.values = store != null ? null : new float[numLayers][numBlocks][];
        for (int l = 0; store == null && l < numLayers; l++) {
            for (int b = 0; b < numBlocks; b++) {
                keys[l][b] = new float[blockSize * kvDim];
                values[l][b] = new float[blockSize * kvDim];
            }
        }
        this.freeStack = new int[numBlocks];
        // Hand out low ids first (pop from the top).
        for (int i = 0; i < numBlocks; i++) {
            freeStack[i] = numBlocks - 1 - i;
        }
        this.freeCount = numBlocks;
    }

    /** Bytes one block takes (K and V, all layers). */
    public static long bytesPerBlock(ModelConfig cfg, int blockSize) {
        return 2L * cfg.numLayers() * blockSize * cfg.kvDim() * Float.BYTES;
    }

    /** A pool using at most {@code budgetBytes} for K/V data (at least one block). */
    public static KvBlockPool forBudget(ModelConfig cfg, long budgetBytes, int blockSize) {
        if (blockSize <= 0) {
            blockSize = DEFAULT_BLOCK_SIZE;
        }
        long blocks = Math.max(1, budgetBytes / bytesPerBlock(cfg, blockSize));
        return new KvBlockPool(cfg.numLayers(), cfg.kvDim(), blockSize, (int) Math.min(blocks, Integer.MAX_VALUE - 8));
    }

    public KvSequence newSequence() {
        return new KvSequence(this);
    }

    /** Blocks a sequence of {@code tokens} positions needs. */
    public int blocksFor(int tokens) {
        return Math.ceilDiv(Math.max(tokens, 0), blockSize);
    }

    /**
     * Makes {@code seq} able to hold {@code totalTokens} positions, allocating the missing blocks
     * all at once or none at all.
     *
     * @return false, with nothing allocated, when the pool has too few free blocks
     */
    public boolean reserve(KvSequence seq, int totalTokens) {
        checkOwned(seq);
        int missing = blocksFor(totalTokens) - seq.blockCount();
        if (missing <= 0) {
            return true;
        }
        synchronized (this) {
            if (missing > freeCount) {
                return false;
            }
            for (int i = 0; i < missing; i++) {
                seq.addBlock(freeStack[--freeCount]);
            }
        }
        return true;
    }

    /** Returns the sequence's blocks to the pool and empties it. Idempotent. */
    public void free(KvSequence seq) {
        checkOwned(seq);
        // Under the pool lock, so a free racing a reserve of the same sequence stays consistent.
        synchronized (this) {
            for (int id : seq.clear()) {
                freeStack[freeCount++] = id;
            }
        }
    }

    public synchronized int usedBlocks() {
        return numBlocks - freeCount;
    }

    public synchronized int freeBlocks() {
        return freeCount;
    }

    public int totalBlocks() {
        return numBlocks;
    }

    public int blockSize() {
        return blockSize;
    }

    public int numLayers() {
        return numLayers;
    }

    public int kvDim() {
        return kvDim;
    }

    /**
     * K storage of one block of one layer: {@code blockSize * kvDim} floats, slot-major. For the
     * engine; callers must own a sequence holding the block.
     */
    public float[] keys(int layer, int blockId) {
        requireHost();
        return keys[layer][blockId];
    }

    /** V storage of one block of one layer (see {@link #keys}). */
    public float[] values(int layer, int blockId) {
        requireHost();
        return values[layer][blockId];
    }

    private void requireHost() {
        if (store != null) {
            throw new IllegalStateException("this pool's K/V blocks live in device memory; use exportBlock/importBlock");
        }
    }

    /** Positions of block {@code blockIndex} that hold data in {@code seq}. */
    public int tokensInBlock(KvSequence seq, int blockIndex) {
        return Math.max(0, Math.min(blockSize, seq.length() - blockIndex * blockSize));
    }

    /** Bytes {@link #exportBlock} writes into each of the two buffers for a block with {@code tokens} positions. */
    public int transferBytes(int tokens) {
        return Math.multiplyExact(numLayers * tokens, kvDim * Float.BYTES);
    }

    /**
     * Writes the K and V data of one block, for the positions of it that {@code seq} uses, into the
     * buffers at their positions (advancing them): layer-major, then position, then kvDim floats,
     * little-endian float32; {@link #transferBytes}(tokensInBlock) bytes each.
     */
    public void exportBlock(KvSequence seq, int blockIndex, ByteBuffer keysOut, ByteBuffer valuesOut) {
        checkOwned(seq);
        int tokens = tokensInBlock(seq, blockIndex);
        int id = seq.blockId(blockIndex);
        int bytes = transferBytes(tokens);
        if (keysOut.remaining() < bytes || valuesOut.remaining() < bytes) {
            throw new BufferOverflowException();
        }
        if (store != null) {
            store.read(id, tokens, keysOut, valuesOut);
            return;
        }
        copyOut(keys, id, tokens, keysOut);
        copyOut(values, id, tokens, valuesOut);
    }

    private void copyOut(float[][][] store, int id, int tokens, ByteBuffer out) {
        FloatBuffer floats = out.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int l = 0; l < numLayers; l++) {
            floats.put(store[l][id], 0, tokens * kvDim);
        }
        out.position(out.position() + transferBytes(tokens));
    }

    /**
     * Reads one block's K and V data in {@link #exportBlock}'s format into block
     * {@code blockIndex} of a sequence that was {@link #reserve reserved} large enough. Does not
     * change the sequence length: after importing all blocks call {@link KvSequence#setLength}.
     */
    public void importBlock(KvSequence seq, int blockIndex, int tokensInBlock, ByteBuffer keysIn, ByteBuffer valuesIn) {
        checkOwned(seq);
        if (tokensInBlock < 0 || tokensInBlock > blockSize) {
            throw new IllegalArgumentException("tokensInBlock " + tokensInBlock + " outside 0.." + blockSize);
        }
        int id = seq.blockId(blockIndex);
        int bytes = transferBytes(tokensInBlock);
        if (keysIn.remaining() < bytes || valuesIn.remaining() < bytes) {
            throw new IllegalArgumentException("KV block " + blockIndex + " needs " + bytes + " bytes of keys and values, got "
                    + keysIn.remaining() + " and " + valuesIn.remaining());
        }
        if (store != null) {
            store.write(id, tokensInBlock, keysIn, valuesIn);
            return;
        }
        copyIn(keys, id, tokensInBlock, keysIn);
        copyIn(values, id, tokensInBlock, valuesIn);
    }

    private void copyIn(float[][][] store, int id, int tokens, ByteBuffer in) {
        FloatBuffer floats = in.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int l = 0; l < numLayers; l++) {
            floats.get(store[l][id], 0, tokens * kvDim);
        }
        in.position(in.position() + transferBytes(tokens));
    }

    private void checkOwned(KvSequence seq) {
        if (seq.pool() != this) {
            throw new IllegalArgumentException("sequence belongs to another KV pool");
        }
    }

    @Override
    public String toString() {
        return "KvBlockPool[" + numLayers + " layers, kvDim " + kvDim + ", " + numBlocks + " blocks of " + blockSize
                + ", " + usedBlocks() + " used]";
    }
}
