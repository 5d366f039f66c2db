package dev.tandem.engine.kv;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

import dev.tandem.model.ModelConfig;
import dev.tandem.model.PrefixHash;

/**
 * A paged KV cache: a fixed number of blocks, each holding K and V for {@code blockSize} positions of every layer.
 * Sequences borrow blocks through {@link #reserve} and return them with {@link #free}, so memory is shared by all
 * requests and never fragmented (vLLM's PagedAttention idea).
 *
 * <p>The pool composes the {@link BlockAllocator} (free list, refcounts), the {@link PrefixCache} (keys, LRU, hit
 * rate), a {@link KvBlockStore} holding the data (host arrays or device memory) and the {@link KvTransferFormat}
 * blocks move in. {@link #reuseCachedPrefix} hands a new sequence the cached blocks of the longest matching prefix
 * of its prompt; they are shared read-only (refcounted). Only full blocks are shared and a sequence only writes the
 * positions after its length, so a shared block is never written, wherever it lives.
 *
 * <p>Accounting: {@link #usedBlocks} counts blocks some sequence holds; {@link #freeBlocks} counts the others,
 * cached ones included, since a reservation takes them back on demand. KV usage reported to routing and metrics is
 * therefore what requests hold, as in vLLM.
 *
 * <p>Thread-safety: block tables, refcounts and the cache are changed under the pool's lock (gRPC handlers run
 * concurrently). The K/V data of a sequence is written only by whoever owns the sequence (the engine, or a
 * transfer), which the callers serialise.
 */
public final class KvBlockPool {

    public static final int DEFAULT_BLOCK_SIZE = PrefixHash.DEFAULT_BLOCK_SIZE;

    private final KvTransferFormat format;
    private final int numBlocks;
    private final boolean prefixCaching;
    private final KvBlockStore store;
    private final BlockAllocator allocator;
    private final PrefixCache cache;

    /** A pool with prefix caching. */
    public KvBlockPool(int numLayers, int kvDim, int blockSize, int numBlocks) {
        this(numLayers, kvDim, blockSize, numBlocks, true);
    }

    /** A pool holding its K/V data in Java arrays, for the CPU forward pass. */
    public KvBlockPool(int numLayers, int kvDim, int blockSize, int numBlocks, boolean prefixCaching) {
        this(new KvTransferFormat(numLayers, kvDim, blockSize), numBlocks, prefixCaching);
    }

    private KvBlockPool(KvTransferFormat format, int numBlocks, boolean prefixCaching) {
        this(format, numBlocks, prefixCaching, new HostKvStore(format, checkBlocks(numBlocks)));
    }

    /** A pool whose K/V data lives in {@code store} (device memory). */
    public KvBlockPool(KvTransferFormat format, int numBlocks, boolean prefixCaching, KvBlockStore store) {
        this.format = format;
        this.numBlocks = checkBlocks(numBlocks);
        this.prefixCaching = prefixCaching;
        this.store = store;
        this.allocator = new BlockAllocator(numBlocks);
        this.cache = new PrefixCache(numBlocks, format.blockSize());
    }

    private static int checkBlocks(int numBlocks) {
        if (numBlocks < 0) {
            throw new IllegalArgumentException("bad KV pool shape: " + numBlocks + " blocks");
        }
        return numBlocks;
    }

    /** Bytes one block takes (K and V, all layers). */
    public static long bytesPerBlock(ModelConfig cfg, int blockSize) {
        return KvTransferFormat.of(cfg, blockSize).bytesPerBlock();
    }

    /** A pool using at most {@code budgetBytes} for K/V data (at least one block). */
    public static KvBlockPool forBudget(ModelConfig cfg, long budgetBytes, int blockSize) {
        return forBudget(cfg, budgetBytes, blockSize, true);
    }

    /** A pool using at most {@code budgetBytes} for K/V data (at least one block), with or without prefix caching. */
    public static KvBlockPool forBudget(ModelConfig cfg, long budgetBytes, int blockSize, boolean prefixCaching) {
        KvTransferFormat format = KvTransferFormat.of(cfg, blockSize <= 0 ? DEFAULT_BLOCK_SIZE : blockSize);
        return new KvBlockPool(format, format.blocksForBudget(budgetBytes), prefixCaching);
    }

    /** Blocks of {@code blockSize} positions that fit in {@code budgetBytes} (at least one), wherever they live. */
    public static int blocksForBudget(ModelConfig cfg, long budgetBytes, int blockSize) {
        return KvTransferFormat.of(cfg, blockSize).blocksForBudget(budgetBytes);
    }

    public KvSequence newSequence() {
        return new KvSequence(this);
    }

    /** Blocks a sequence of {@code tokens} positions needs. */
    public int blocksFor(int tokens) {
        return Math.ceilDiv(Math.max(tokens, 0), format.blockSize());
    }

    /**
     * Makes {@code seq} able to hold {@code totalTokens} positions, allocating the missing blocks all at once or none
     * at all. Never-used blocks go first, then the least recently released cached blocks, which leave the prefix cache.
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
            if (missing > allocator.freeCount() + cache.evictableCount()) {
                return false;
            }
            for (int i = 0; i < missing; i++) {
                seq.addBlock(takeBlock());
            }
        }
        return true;
    }

    private int takeBlock() {
        if (allocator.freeCount() > 0) {
            return allocator.take();
        }
        int id = cache.evictOldest();
        allocator.takeEvicted(id);
        return id;
    }

    /**
     * Gives an empty sequence the cached blocks of the longest prefix of {@code prompt} made of full blocks, leaving
     * at least the last prompt token to compute (its logits are needed). The sequence then holds those positions, as
     * if it had computed them.
     *
     * @return the prompt tokens covered, a multiple of the block size (0 without prefix caching)
     */
    public int reuseCachedPrefix(KvSequence seq, int[] prompt) {
        checkOwned(seq);
        if (seq.blockCount() != 0 || seq.length() != 0) {
            throw new IllegalArgumentException("a cached prefix is reused only by an empty sequence, not " + seq);
        }
        if (!prefixCaching) {
            return 0;
        }
        int blockSize = format.blockSize();
        synchronized (this) {
            long parent = PrefixHash.ROOT;
            int reusable = (prompt.length - 1) / blockSize;
            int blocks = 0;
            for (; blocks < reusable; blocks++) {
                int from = blocks * blockSize;
                long hash = cache.hash(parent, prompt, from);
                int id = cache.find(parent, hash, prompt, from);
                if (id < 0) {
                    break;
                }
                if (allocator.share(id)) {
                    cache.reused(id);
                }
                seq.addBlock(id);
                parent = hash;
            }
            int cached = blocks * blockSize;
            seq.appendTokens(prompt, 0, cached);
            seq.hashedUpTo(blocks, parent);
            cache.lookedUp(prompt.length, cached);
            return cached;
        }
    }

    /**
     * Records that K/V for {@code tokens} now fills the positions after {@code seq.length()} (the engine computed it,
     * or a transfer imported it): the sequence grows by them, and the blocks that became full enter the prefix cache,
     * unless a block with the same key is cached already (that one stays private and is simply freed later).
     */
    public void append(KvSequence seq, int[] tokens) {
        checkOwned(seq);
        int blockSize = format.blockSize();
        synchronized (this) {
            seq.appendTokens(tokens, 0, tokens.length);
            if (!prefixCaching || !seq.tokensKnown()) {
                return;
            }
            int full = seq.length() / blockSize;
            for (int b = seq.hashedBlocks(); b < full; b++) {
                long parent = b == 0 ? PrefixHash.ROOT : seq.lastHash();
                long hash = cache.hash(parent, seq.tokens(), b * blockSize);
                cache.add(seq.blockId(b), parent, hash, seq.tokens(), b * blockSize);
                seq.hashedUpTo(b + 1, hash);
            }
        }
    }

    /**
     * Returns the sequence's blocks to the pool and empties it. Idempotent. A block other sequences still share stays
     * with them; a cached block nobody holds becomes evictable, the sequence's last blocks first, so its prefix
     * outlives its tail.
     */
    public void free(KvSequence seq) {
        checkOwned(seq);
        // Under the pool lock, so a free racing a reserve of the same sequence stays consistent.
        synchronized (this) {
            int[] held = seq.clear();
            for (int i = held.length - 1; i >= 0; i--) {
                int id = held[i];
                if (!allocator.release(id)) {
                    continue;
                }
                if (cache.isCached(id)) {
                    cache.released(id);
                } else {
                    allocator.free(id);
                }
            }
        }
    }

    /** Blocks held by at least one sequence. */
    public synchronized int usedBlocks() {
        return numBlocks - freeBlocks();
    }

    /** Blocks a reservation can take: never-used ones and cached ones no sequence holds. */
    public synchronized int freeBlocks() {
        return allocator.freeCount() + cache.evictableCount();
    }

    /** Cached blocks no sequence holds (counted in {@link #freeBlocks}). */
    public synchronized int cachedBlocks() {
        return cache.evictableCount();
    }

    /** Prompt tokens found in the prefix cache over those looked up, since the start; 0 before any lookup. */
    public synchronized double prefixCacheHitRate() {
        return cache.hitRate();
    }

    public boolean prefixCaching() {
        return prefixCaching;
    }

    public int totalBlocks() {
        return numBlocks;
    }

    public int blockSize() {
        return format.blockSize();
    }

    public int numLayers() {
        return format.numLayers();
    }

    public int kvDim() {
        return format.kvDim();
    }

    /** The layout blocks of this pool are transferred in. */
    public KvTransferFormat format() {
        return format;
    }

    /**
     * K storage of one block of one layer: {@code blockSize * kvDim} floats, dimension-major (slot t of dimension c at
     * {@code c * blockSize + t}; see {@link HostKvStore}). For the CPU engine; callers must own a sequence holding the
     * block.
     */
    public float[] keys(int layer, int blockId) {
        return hostStore().keys(layer, blockId);
    }

    /** V storage of one block of one layer: {@code blockSize * kvDim} floats, slot-major (see {@link #keys}). */
    public float[] values(int layer, int blockId) {
        return hostStore().values(layer, blockId);
    }

    private HostKvStore hostStore() {
        if (store instanceof HostKvStore host) {
            return host;
        }
        throw new IllegalStateException("this pool's K/V blocks live in device memory; use exportBlock/importBlock");
    }

    /** Positions of block {@code blockIndex} that hold data in {@code seq}. */
    public int tokensInBlock(KvSequence seq, int blockIndex) {
        return Math.max(0, Math.min(format.blockSize(), seq.length() - blockIndex * format.blockSize()));
    }

    /** Bytes {@link #exportBlock} writes into each of the two buffers for a block with {@code tokens} positions. */
    public int transferBytes(int tokens) {
        return format.transferBytes(tokens);
    }

    /**
     * Writes the K and V data of one block, for the positions of it that {@code seq} uses, into the buffers at their
     * positions (advancing them), in the {@link KvTransferFormat}: {@link #transferBytes}(tokensInBlock) bytes each.
     */
    public void exportBlock(KvSequence seq, int blockIndex, ByteBuffer keysOut, ByteBuffer valuesOut) {
        checkOwned(seq);
        int tokens = tokensInBlock(seq, blockIndex);
        int id = seq.blockId(blockIndex);
        int bytes = transferBytes(tokens);
        if (keysOut.remaining() < bytes || valuesOut.remaining() < bytes) {
            throw new BufferOverflowException();
        }
        store.read(id, tokens, keysOut, valuesOut);
    }

    /**
     * Reads one block's K and V data in {@link #exportBlock}'s format into block {@code blockIndex} of a sequence that
     * was {@link #reserve reserved} large enough. Does not change the sequence length: after importing all blocks call
     * {@link #append} with the tokens.
     */
    public void importBlock(KvSequence seq, int blockIndex, int tokensInBlock, ByteBuffer keysIn, ByteBuffer valuesIn) {
        checkOwned(seq);
        if (tokensInBlock < 0 || tokensInBlock > format.blockSize()) {
            throw new IllegalArgumentException("tokensInBlock " + tokensInBlock + " outside 0.." + format.blockSize());
        }
        int id = seq.blockId(blockIndex);
        synchronized (this) {
            if (!allocator.heldByOne(id) || cache.isCached(id)) {
                throw new IllegalStateException("KV block " + blockIndex + " is shared or cached; it cannot be overwritten");
            }
        }
        int bytes = transferBytes(tokensInBlock);
        if (keysIn.remaining() < bytes || valuesIn.remaining() < bytes) {
            throw new IllegalArgumentException("KV block " + blockIndex + " needs " + bytes + " bytes of keys and values, got "
                    + keysIn.remaining() + " and " + valuesIn.remaining());
        }
        store.write(id, tokensInBlock, keysIn, valuesIn);
    }

    private void checkOwned(KvSequence seq) {
        if (seq.pool() != this) {
            throw new IllegalArgumentException("sequence belongs to another KV pool");
        }
    }

    @Override
    public String toString() {
        return "KvBlockPool[" + numLayers() + " layers, kvDim " + kvDim() + ", " + numBlocks + " blocks of " + blockSize()
                + ", " + usedBlocks() + " used, " + cachedBlocks() + " cached]";
    }
}
