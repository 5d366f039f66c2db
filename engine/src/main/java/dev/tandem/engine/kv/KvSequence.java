package dev.tandem.engine.kv;

import java.util.Arrays;

/**
 * One sequence's view of the paged KV cache: its block table (pool block ids, in position order)
 * and how many positions hold data. Position p lives in block {@code blockIds[p / blockSize]} at
 * slot {@code p % blockSize}. It also remembers the tokens whose K/V it holds, which key its full
 * blocks in the pool's prefix cache.
 *
 * <p>Not thread-safe by itself: a sequence belongs to one request, which the caller serialises;
 * only the pool's free list is shared and locked.
 */
public final class KvSequence {

    private final KvBlockPool pool;
    private int[] blocks = new int[4];
    private int blockCount;
    private int length;
    /** tokens[p] is the token at position p, while {@code tokensKnown}. */
    private int[] tokens = new int[16];
    private boolean tokensKnown = true;
    /** Leading blocks whose prefix-cache key is known, and the key of the last of them. */
    private int hashedBlocks;
    private long lastHash;

    KvSequence(KvBlockPool pool) {
        this.pool = pool;
    }

    /** The pool this sequence's blocks come from. */
    public KvBlockPool pool() {
        return pool;
    }

    /** Positions that hold K/V data. */
    public int length() {
        return length;
    }

    /** Blocks currently held. */
    public int blockCount() {
        return blockCount;
    }

    /** Positions the held blocks can store. */
    public int capacity() {
        return blockCount * pool.blockSize();
    }

    /** The pool block id of this sequence's {@code index}-th block. */
    public int blockId(int index) {
        if (index < 0 || index >= blockCount) {
            throw new IndexOutOfBoundsException("block " + index + " of a sequence holding " + blockCount);
        }
        return blocks[index];
    }

    /** A copy of the block table. */
    public int[] blockIds() {
        return Arrays.copyOf(blocks, blockCount);
    }

    /**
     * Sets how many positions hold data, for K/V written without telling the pool its tokens
     * (prefer {@link KvBlockPool#append}): the sequence's blocks no longer enter the prefix cache.
     * The positions must fit in the reserved blocks, and blocks that may be shared stay as they are.
     */
    public void setLength(int length) {
        checkLength(length);
        if (length < hashedBlocks * pool.blockSize()) {
            throw new IllegalArgumentException("length " + length + " would rewrite cached blocks of " + this);
        }
        this.length = length;
        this.tokensKnown = false;
    }

    private void checkLength(int length) {
        if (length < 0 || length > capacity()) {
            throw new IllegalArgumentException("length " + length + " outside 0.." + capacity() + " (reserved capacity)");
        }
    }

    void appendTokens(int[] added, int from, int count) {
        checkLength(length + count);
        if (tokensKnown) {
            if (length + count > tokens.length) {
                tokens = Arrays.copyOf(tokens, Math.max(length + count, tokens.length * 2));
            }
            System.arraycopy(added, from, tokens, length, count);
        }
        length += count;
    }

    boolean tokensKnown() {
        return tokensKnown;
    }

    /** The token array (positions 0..length), for the pool's hashing. */
    int[] tokens() {
        return tokens;
    }

    int hashedBlocks() {
        return hashedBlocks;
    }

    long lastHash() {
        return lastHash;
    }

    void hashedUpTo(int blocks, long hash) {
        hashedBlocks = blocks;
        lastHash = hash;
    }

    void addBlock(int id) {
        if (blockCount == blocks.length) {
            blocks = Arrays.copyOf(blocks, blockCount * 2);
        }
        blocks[blockCount++] = id;
    }

    /** Drops the block table; returns the ids that were held. */
    int[] clear() {
        int[] held = Arrays.copyOf(blocks, blockCount);
        blockCount = 0;
        length = 0;
        tokensKnown = true;
        hashedBlocks = 0;
        return held;
    }

    @Override
    public String toString() {
        return "KvSequence[length=" + length + ", blocks=" + Arrays.toString(blockIds()) + "]";
    }
}
