package dev.tandem.model;

/**
 * The keys of prefix caching: block i of a token sequence is keyed by {@code hash(key of block i − 1, tokens of
 * block i)}, so a key names the whole prefix up to the end of its block. The KV pool keys its cached blocks
 * this way, and the frontend's KV-aware router predicts cache hits with the same keys.
 */
public final class PrefixHash {

    /** Tokens per KV block when a worker is not told otherwise (vLLM's and Dynamo's default). */
    public static final int DEFAULT_BLOCK_SIZE = 16;

    /** The parent key of a sequence's first block. */
    public static final long ROOT = 0x54414E44454DL;

    private PrefixHash() {
    }

    /** hash(parent, tokens[from, from + blockSize)): FNV-1a over the token ids, seeded by the parent, then a 64-bit finaliser. */
    public static long of(long parent, int[] tokens, int from, int blockSize) {
        long h = parent ^ 0xCBF29CE484222325L;
        for (int i = from; i < from + blockSize; i++) {
            h = (h ^ (tokens[i] & 0xFFFFFFFFL)) * 0x100000001B3L;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    /** The keys of the full blocks of {@code tokens}, first block first. */
    public static long[] chain(int[] tokens, int blockSize) {
        long[] keys = new long[tokens.length / blockSize];
        long parent = ROOT;
        for (int b = 0; b < keys.length; b++) {
            parent = of(parent, tokens, b * blockSize, blockSize);
            keys[b] = parent;
        }
        return keys;
    }
}
