package dev.tandem.engine.kv;

import dev.tandem.model.PrefixHash;

import dev.tandem.model.ModelConfig;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * A paged KV cache: a fixed number of blocks, each holding K and V (float32) for
 * {@code blockSize} positions of every layer. Sequences borrow blocks through {@link #reserve}
 * and return them with {@link #free}, so memory is shared by all requests and never fragmented
 * (vLLM's PagedAttention idea).
 *
 * <p>Prefix caching (vLLM's automatic prefix caching): once a block is full, it is keyed by a hash
 * chain of the tokens up to its end, {@code hash(parent block's hash, this block's tokens)}, so a
 * key names the whole prefix, positions included. {@link #reuseCachedPrefix} hands a new sequence
 * the cached blocks of the longest matching prefix of its prompt; they are shared read-only
 * (refcounted). Only full blocks are shared and a sequence only writes the positions after its
 * length, so a shared block is never written. A cached block no sequence holds stays in an LRU of
 * evictable blocks and is reused for other data only when no never-used block is left. A lookup
 * compares the candidate's tokens and parent hash too, so sharing the wrong KV takes a 64-bit hash
 * collision in the chain before it.
 *
 * <p>Accounting: {@link #usedBlocks} counts blocks some sequence holds; {@link #freeBlocks} counts
 * the others, cached ones included, since a reservation takes them back on demand. KV usage
 * reported to routing and metrics is therefore what requests hold, as in vLLM.
 *
 * <p>Storage: per layer and per block one {@code float[blockSize * kvDim]} for K and one for V,
 * position-major, so a block's slice for one layer is contiguous for transfer and attention, and
 * no single Java array must hold a whole layer (no 2 GiB limit).
 *
 * <p>The data may live elsewhere, in a {@link KvBlockStore} (device memory): the pool then holds no
 * arrays, only the block allocation and the prefix cache's bookkeeping, and transfers go through the
 * store. Nothing changes for sharing: a shared block is only ever read, wherever it lives.
 *
 * <p>Thread-safety: block tables, refcounts and the cache are changed under the pool's lock (gRPC
 * handlers run concurrently). The K/V data of a sequence is written only by whoever owns the
 * sequence (the engine, or a transfer), which the callers serialise.
 */
public final class KvBlockPool {

    public static final int DEFAULT_BLOCK_SIZE = PrefixHash.DEFAULT_BLOCK_SIZE;

    private final int numLayers;
    private final int kvDim;
    private final int blockSize;
    private final int numBlocks;
    private final boolean prefixCaching;
    /** keys[layer][block] = float[blockSize * kvDim]; null when the data lives in {@link #store}. */
    private final float[][][] keys;
    private final float[][][] values;
    private final KvBlockStore store;
    /** Stack of never-used (or uncached) free block ids; {@code freeCount} of them are valid. */
    private final int[] freeStack;
    private int freeCount;
    /** Sequences holding each block. */
    private final int[] refCount;
    /** For cached blocks: their key, their parent's key and their tokens (null when not cached). */
    private final long[] blockHash;
    private final long[] parentHash;
    private final int[][] blockTokens;
    private final Map<Long, Integer> cachedByHash = new HashMap<>();
    /** Cached blocks no sequence holds, least recently released first. */
    private final LinkedHashSet<Integer> evictable = new LinkedHashSet<>();
    private long queriedTokens;
    private long hitTokens;

    /** A pool with prefix caching. */
    public KvBlockPool(int numLayers, int kvDim, int blockSize, int numBlocks) {
        this(numLayers, kvDim, blockSize, numBlocks, true);
    }

    public KvBlockPool(int numLayers, int kvDim, int blockSize, int numBlocks, boolean prefixCaching) {
        this(numLayers, kvDim, blockSize, numBlocks, prefixCaching, null);
    }

    /** A pool whose K/V data lives in {@code store} (null: in the pool's own arrays). */
    public KvBlockPool(int numLayers, int kvDim, int blockSize, int numBlocks, boolean prefixCaching, KvBlockStore store) {
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
        this.prefixCaching = prefixCaching;
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
        this.refCount = new int[numBlocks];
        this.blockHash = new long[numBlocks];
        this.parentHash = new long[numBlocks];
        this.blockTokens = new int[numBlocks][];
    }

    /** Bytes one block takes (K and V, all layers). */
    public static long bytesPerBlock(ModelConfig cfg, int blockSize) {
        return 2L * cfg.numLayers() * blockSize * cfg.kvDim() * Float.BYTES;
    }

    /** A pool using at most {@code budgetBytes} for K/V data (at least one block). */
    public static KvBlockPool forBudget(ModelConfig cfg, long budgetBytes, int blockSize) {
        return forBudget(cfg, budgetBytes, blockSize, true);
    }

    /** A pool using at most {@code budgetBytes} for K/V data (at least one block), with or without prefix caching. */
    public static KvBlockPool forBudget(ModelConfig cfg, long budgetBytes, int blockSize, boolean prefixCaching) {
        if (blockSize <= 0) {
            blockSize = DEFAULT_BLOCK_SIZE;
        }
        return new KvBlockPool(cfg.numLayers(), cfg.kvDim(), blockSize, blocksForBudget(cfg, budgetBytes, blockSize),
                prefixCaching);
    }

    /** Blocks of {@code blockSize} positions that fit in {@code budgetBytes} (at least one), wherever they live. */
    public static int blocksForBudget(ModelConfig cfg, long budgetBytes, int blockSize) {
        long blocks = Math.max(1, budgetBytes / bytesPerBlock(cfg, blockSize));
        return (int) Math.min(blocks, Integer.MAX_VALUE - 8);
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
     * all at once or none at all. Never-used blocks go first, then the least recently released
     * cached blocks, which leave the prefix cache.
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
            if (missing > freeCount + evictable.size()) {
                return false;
            }
            for (int i = 0; i < missing; i++) {
                seq.addBlock(takeBlock());
            }
        }
        return true;
    }

    private int takeBlock() {
        int id;
        if (freeCount > 0) {
            id = freeStack[--freeCount];
        } else {
            Iterator<Integer> oldest = evictable.iterator();
            id = oldest.next();
            oldest.remove();
            cachedByHash.remove(blockHash[id]);
            blockTokens[id] = null;
        }
        refCount[id] = 1;
        return id;
    }

    /**
     * Gives an empty sequence the cached blocks of the longest prefix of {@code prompt} made of
     * full blocks, leaving at least the last prompt token to compute (its logits are needed). The
     * sequence then holds those positions, as if it had computed them.
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
        synchronized (this) {
            long parent = PrefixHash.ROOT;
            int reusable = (prompt.length - 1) / blockSize;
            int blocks = 0;
            for (; blocks < reusable; blocks++) {
                int from = blocks * blockSize;
                long hash = hash(parent, prompt, from);
                Integer id = cachedByHash.get(hash);
                if (id == null || parentHash[id] != parent
                        || !Arrays.equals(blockTokens[id], 0, blockSize, prompt, from, from + blockSize)) {
                    break;
                }
                if (refCount[id]++ == 0) {
                    evictable.remove(id);
                }
                seq.addBlock(id);
                parent = hash;
            }
            int cached = blocks * blockSize;
            seq.appendTokens(prompt, 0, cached);
            seq.hashedUpTo(blocks, parent);
            queriedTokens += prompt.length;
            hitTokens += cached;
            return cached;
        }
    }

    /**
     * Records that K/V for {@code tokens} now fills the positions after {@code seq.length()} (the
     * engine computed it, or a transfer imported it): the sequence grows by them, and the blocks
     * that became full enter the prefix cache, unless a block with the same key is cached already
     * (that one stays private and is simply freed later).
     */
    public void append(KvSequence seq, int[] tokens) {
        checkOwned(seq);
        synchronized (this) {
            seq.appendTokens(tokens, 0, tokens.length);
            if (!prefixCaching || !seq.tokensKnown()) {
                return;
            }
            int full = seq.length() / blockSize;
            for (int b = seq.hashedBlocks(); b < full; b++) {
                long parent = b == 0 ? PrefixHash.ROOT : seq.lastHash();
                long hash = hash(parent, seq.tokens(), b * blockSize);
                int id = seq.blockId(b);
                if (!cachedByHash.containsKey(hash)) {
                    cachedByHash.put(hash, id);
                    blockHash[id] = hash;
                    parentHash[id] = parent;
                    blockTokens[id] = Arrays.copyOfRange(seq.tokens(), b * blockSize, (b + 1) * blockSize);
                }
                seq.hashedUpTo(b + 1, hash);
            }
        }
    }

    private long hash(long parent, int[] tokens, int from) {
        return PrefixHash.of(parent, tokens, from, blockSize);
    }

    /**
     * Returns the sequence's blocks to the pool and empties it. Idempotent. A block other
     * sequences still share stays with them; a cached block nobody holds becomes evictable, the
     * sequence's last blocks first, so its prefix outlives its tail.
     */
    public void free(KvSequence seq) {
        checkOwned(seq);
        // Under the pool lock, so a free racing a reserve of the same sequence stays consistent.
        synchronized (this) {
            int[] held = seq.clear();
            for (int i = held.length - 1; i >= 0; i--) {
                int id = held[i];
                if (--refCount[id] > 0) {
                    continue;
                }
                if (blockTokens[id] != null) {
                    evictable.add(id);
                } else {
                    freeStack[freeCount++] = id;
                }
            }
        }
    }

    /** Blocks held by at least one sequence. */
    public synchronized int usedBlocks() {
        return numBlocks - freeCount - evictable.size();
    }

    /** Blocks a reservation can take: never-used ones and cached ones no sequence holds. */
    public synchronized int freeBlocks() {
        return freeCount + evictable.size();
    }

    /** Cached blocks no sequence holds (counted in {@link #freeBlocks}). */
    public synchronized int cachedBlocks() {
        return evictable.size();
    }

    /** Prompt tokens found in the prefix cache over those looked up, since the start; 0 before any lookup. */
    public synchronized double prefixCacheHitRate() {
        return queriedTokens == 0 ? 0 : (double) hitTokens / queriedTokens;
    }

    public boolean prefixCaching() {
        return prefixCaching;
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
     * change the sequence length: after importing all blocks call {@link #append} with the tokens.
     */
    public void importBlock(KvSequence seq, int blockIndex, int tokensInBlock, ByteBuffer keysIn, ByteBuffer valuesIn) {
        checkOwned(seq);
        if (tokensInBlock < 0 || tokensInBlock > blockSize) {
            throw new IllegalArgumentException("tokensInBlock " + tokensInBlock + " outside 0.." + blockSize);
        }
        int id = seq.blockId(blockIndex);
        synchronized (this) {
            if (refCount[id] != 1 || blockTokens[id] != null) {
                throw new IllegalStateException("KV block " + blockIndex + " is shared or cached; it cannot be overwritten");
            }
        }
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
                + ", " + usedBlocks() + " used, " + cachedBlocks() + " cached]";
    }
}
