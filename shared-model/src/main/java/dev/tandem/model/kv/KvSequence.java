package dev.tandem.model.kv;

import java.util.Arrays;

/**
 * One sequence's view of the paged KV cache: its block table (pool block ids, in position order)
 * and how many positions hold data. Position p lives in block {@code blockIds[p / blockSize]} at
 * slot {@code p % blockSize}.
 *
 * <p>Not thread-safe by itself: a sequence belongs to one request, which the caller serialises;
 * only the pool's free list is shared and locked.
 */
public final class KvSequence {

    private final KvBlockPool pool;
    private int[] blocks = new int[4];
    private int blockCount;
    private int length;

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
     * Sets how many positions hold data: used by the engine after it wrote K/V, and after a KV
     * import. The positions must fit in the reserved blocks.
     */
    public void setLength(int length) {
        if (length < 0 || length > capacity()) {
            throw new IllegalArgumentException("length " + length + " outside 0.." + capacity() + " (reserved capacity)");
        }
        this.length = length;
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
        return held;
    }

    @Override
    public String toString() {
        return "KvSequence[length=" + length + ", blocks=" + Arrays.toString(blockIds()) + "]";
    }
}
