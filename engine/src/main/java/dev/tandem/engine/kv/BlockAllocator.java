package dev.tandem.engine.kv;

/**
 * Block ids and who holds them: a stack of never-used (or uncached) free ids, handed out low ids first, and a
 * reference count per block, since prefix caching shares full blocks between sequences. Not thread-safe: the
 * {@link KvBlockPool} calls it under its lock.
 */
final class BlockAllocator {

    private final int[] freeStack;
    private int freeCount;
    /** Sequences holding each block. */
    private final int[] refCount;

    BlockAllocator(int numBlocks) {
        this.freeStack = new int[numBlocks];
        for (int i = 0; i < numBlocks; i++) {
            freeStack[i] = numBlocks - 1 - i; // popped from the top: low ids first
        }
        this.freeCount = numBlocks;
        this.refCount = new int[numBlocks];
    }

    /** Free blocks never used or not cached. */
    int freeCount() {
        return freeCount;
    }

    /** Takes a free block for one holder; the caller checked {@link #freeCount}. */
    int take() {
        int id = freeStack[--freeCount];
        refCount[id] = 1;
        return id;
    }

    /** One holder for a block that came back from the prefix cache's evictable list. */
    void takeEvicted(int id) {
        refCount[id] = 1;
    }

    /** One more holder; true when the block had none (it was evictable in the prefix cache). */
    boolean share(int id) {
        return refCount[id]++ == 0;
    }

    /** One holder fewer; true when nobody holds the block any more. */
    boolean release(int id) {
        return --refCount[id] == 0;
    }

    /** Returns a block nobody holds and no cache keeps to the free stack. */
    void free(int id) {
        freeStack[freeCount++] = id;
    }

    boolean heldByOne(int id) {
        return refCount[id] == 1;
    }
}
