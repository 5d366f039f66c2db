package dev.tandem.engine.cuda;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import dev.tandem.engine.kv.KvBlockStore;
import dev.tandem.engine.kv.KvTransferFormat;

/**
 * The KV cache's data in device memory, where the CUDA forward pass reads and writes it. Blocks move in and out
 * (transfers between workers) through the native model's pinned host staging buffer, one block at a time, on the
 * library's own stream, so transfers may run while the forward pass works on other sequences' blocks.
 */
final class DeviceKvStore implements KvBlockStore {

    private final long handle;
    private final KvTransferFormat format;
    /** K then V of one block; one transfer at a time uses it. */
    private final MemorySegment staging;

    DeviceKvStore(long handle, KvTransferFormat format) {
        this.handle = handle;
        this.format = format;
        this.staging = MemorySegment.ofAddress(CudaNative.kvStaging(handle))
                .reinterpret(2L * format.transferBytes(format.blockSize()));
    }

    @Override
    public void read(int blockId, int tokens, ByteBuffer keys, ByteBuffer values) {
        long bytes = format.transferBytes(tokens);
        synchronized (staging) {
            CudaNative.kvRead(handle, blockId, tokens);
            copyOut(0, keys, bytes);
            copyOut(bytes, values, bytes);
        }
    }

    @Override
    public void write(int blockId, int tokens, ByteBuffer keys, ByteBuffer values) {
        long bytes = format.transferBytes(tokens);
        synchronized (staging) {
            copyIn(keys, 0, bytes);
            copyIn(values, bytes, bytes);
            CudaNative.kvWrite(handle, blockId, tokens);
        }
    }

    private void copyOut(long offset, ByteBuffer out, long bytes) {
        MemorySegment.copy(staging, offset, MemorySegment.ofBuffer(out), 0, bytes);
        out.position(out.position() + (int) bytes);
    }

    private void copyIn(ByteBuffer in, long offset, long bytes) {
        MemorySegment.copy(MemorySegment.ofBuffer(in), 0, staging, offset, bytes);
        in.position(in.position() + (int) bytes);
    }
}
