package dev.tandem.engine.kv;

import java.nio.ByteBuffer;

/**
 * Where a {@link KvBlockPool}'s K/V data lives: Java arrays ({@link HostKvStore}) for the CPU forward pass, device
 * memory for the CUDA one. The pool allocates the block ids; a store only holds their data, and moves a block in and
 * out in the {@link KvTransferFormat}.
 */
public interface KvBlockStore {

    /** Writes block {@code blockId}'s first {@code tokens} positions, K into {@code keys} and V into {@code values}, advancing both. */
    void read(int blockId, int tokens, ByteBuffer keys, ByteBuffer values);

    /** Reads block {@code blockId}'s first {@code tokens} positions from {@code keys} and {@code values}, advancing both. */
    void write(int blockId, int tokens, ByteBuffer keys, ByteBuffer values);
}
