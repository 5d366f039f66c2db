package dev.tandem.engine.kv;

import java.nio.ByteBuffer;

/**
 * Storage of a {@link KvBlockPool}'s K/V data outside the pool's own arrays: device memory, where a
 * device forward pass reads and writes it. The pool keeps allocating the block ids; transfers between
 * workers go through this store (in {@link KvBlockPool#exportBlock}'s format).
 */
public interface KvBlockStore {

    /** Writes block {@code blockId}'s first {@code tokens} positions, K into {@code keys} and V into {@code values}, advancing both. */
    void read(int blockId, int tokens, ByteBuffer keys, ByteBuffer values);

    /** Reads block {@code blockId}'s first {@code tokens} positions from {@code keys} and {@code values}, advancing both. */
    void write(int blockId, int tokens, ByteBuffer keys, ByteBuffer values);
}
