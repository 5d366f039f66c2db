package dev.tandem.engine.kv;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

import dev.tandem.model.PrefixHash;

/**
 * vLLM's automatic prefix caching, its bookkeeping only: once a block is full, it is keyed by a hash chain of the
 * tokens up to its end ({@link PrefixHash}), so a key names the whole prefix, positions included. A lookup compares
 * the candidate's tokens and parent hash too, so sharing the wrong KV takes a 64-bit hash collision in the chain
 * before it. A cached block no sequence holds waits in an LRU of evictable blocks, reused for other data only when
 * no never-used block is left. Not thread-safe: the {@link KvBlockPool} calls it under its lock.
 */
final class PrefixCache {

    private final int blockSize;
    /** For cached blocks: their key, their parent's key and their tokens (null when not cached). */
    private final long[] blockHash;
    private final long[] parentHash;
    private final int[][] blockTokens;
    private final Map<Long, Integer> cachedByHash = new HashMap<>();
    /** Cached blocks no sequence holds, least recently released first. */
    private final LinkedHashSet<Integer> evictable = new LinkedHashSet<>();
    private long queriedTokens;
    private long hitTokens;

    PrefixCache(int numBlocks, int blockSize) {
        this.blockSize = blockSize;
        this.blockHash = new long[numBlocks];
        this.parentHash = new long[numBlocks];
        this.blockTokens = new int[numBlocks][];
    }

    long hash(long parent, int[] tokens, int from) {
        return PrefixHash.of(parent, tokens, from, blockSize);
    }

    /** The cached block holding {@code tokens[from, from + blockSize)} after the prefix keyed {@code parent}; -1 if none. */
    int find(long parent, long hash, int[] tokens, int from) {
        Integer id = cachedByHash.get(hash);
        if (id == null || parentHash[id] != parent
                || !Arrays.equals(blockTokens[id], 0, blockSize, tokens, from, from + blockSize)) {
            return -1;
        }
        return id;
    }

    /** Keys a block that just became full, unless a block with the same key is cached already (it stays private). */
    void add(int id, long parent, long hash, int[] tokens, int from) {
        if (!cachedByHash.containsKey(hash)) {
            cachedByHash.put(hash, id);
            blockHash[id] = hash;
            parentHash[id] = parent;
            blockTokens[id] = Arrays.copyOfRange(tokens, from, from + blockSize);
        }
    }

    boolean isCached(int id) {
        return blockTokens[id] != null;
    }

    /** A cached block nobody holds any more: the last to be evicted among those released so far. */
    void released(int id) {
        evictable.add(id);
    }

    /** A cached block someone holds again. */
    void reused(int id) {
        evictable.remove(id);
    }

    /** Evicts the least recently released block, which leaves the cache; its id is free for other data. */
    int evictOldest() {
        Iterator<Integer> oldest = evictable.iterator();
        int id = oldest.next();
        oldest.remove();
        cachedByHash.remove(blockHash[id]);
        blockTokens[id] = null;
        return id;
    }

    int evictableCount() {
        return evictable.size();
    }

    void lookedUp(int promptTokens, int cachedTokens) {
        queriedTokens += promptTokens;
        hitTokens += cachedTokens;
    }

    /** Prompt tokens found over those looked up; 0 before any lookup. */
    double hitRate() {
        return queriedTokens == 0 ? 0 : (double) hitTokens / queriedTokens;
    }
}
