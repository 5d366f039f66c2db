package dev.tandem.engine.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A pool whose data lives in a store (device memory) allocates blocks as usual, transfers through the store, and
 * caches prefixes as a host pool does.
 */
class KvBlockStoreTest {

    /** A store that records its calls and moves the buffers as a real transfer would. */
    private static KvBlockStore recording(List<String> calls) {
        return new KvBlockStore() {
            @Override
            public void read(int blockId, int tokens, ByteBuffer keys, ByteBuffer values) {
                calls.add("read " + blockId + " " + tokens);
                keys.position(keys.position() + tokens * 2 * 4 * Float.BYTES);
                values.position(values.position() + tokens * 2 * 4 * Float.BYTES);
            }

            @Override
            public void write(int blockId, int tokens, ByteBuffer keys, ByteBuffer values) {
                calls.add("write " + blockId + " " + tokens);
                keys.position(keys.position() + tokens * 2 * 4 * Float.BYTES);
                values.position(values.position() + tokens * 2 * 4 * Float.BYTES);
            }
        };
    }

    @Test
    void transfersGoThroughTheStore() {
        List<String> calls = new ArrayList<>();
        KvBlockPool pool = new KvBlockPool(new KvTransferFormat(2, 4, 16), 8, true, recording(calls));
        KvSequence seq = pool.newSequence();
        pool.reserve(seq, 20);
        seq.setLength(20);
        int bytes = pool.transferBytes(4);
        ByteBuffer keys = ByteBuffer.allocate(bytes);
        ByteBuffer values = ByteBuffer.allocate(bytes);
        pool.exportBlock(seq, 1, keys, values);
        assertEquals(bytes, keys.position());
        KvSequence copy = pool.newSequence();
        pool.reserve(copy, 20);
        pool.importBlock(copy, 1, 4, keys.flip(), values.flip());
        assertEquals(List.of("read " + seq.blockId(1) + " 4", "write " + copy.blockId(1) + " 4"), calls);
        assertEquals(4, pool.usedBlocks());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.keys(0, seq.blockId(0)));
        assertEquals("this pool's K/V blocks live in device memory; use exportBlock/importBlock", e.getMessage());
    }

    @Test
    void prefixCachingKeepsItsBookkeepingWithAStore() {
        List<String> calls = new ArrayList<>();
        KvBlockPool pool = new KvBlockPool(new KvTransferFormat(2, 4, 16), 8, true, recording(calls));
        int[] prompt = IntStream.range(0, 40).map(i -> 3 + i).toArray();
        KvSequence first = pool.newSequence();
        pool.reserve(first, prompt.length);
        pool.append(first, prompt);

        KvSequence second = pool.newSequence();
        assertEquals(32, pool.reuseCachedPrefix(second, prompt), "full blocks are shared whichever memory holds them");
        assertEquals(first.blockId(1), second.blockId(1));
        assertEquals(3, pool.usedBlocks());

        // A transfer may read a shared block, but never write one: the refusal comes before the store is touched.
        int bytes = pool.transferBytes(16);
        ByteBuffer keys = ByteBuffer.allocate(bytes);
        ByteBuffer values = ByteBuffer.allocate(bytes);
        pool.exportBlock(second, 1, keys, values);
        assertThrows(IllegalStateException.class, () -> pool.importBlock(second, 1, 16, keys.flip(), values.flip()));
        assertEquals(List.of("read " + first.blockId(1) + " 16"), calls);

        pool.free(first);
        pool.free(second);
        assertEquals(2, pool.cachedBlocks());
        assertEquals(0.8, pool.prefixCacheHitRate(), 1e-9, "32 of 40 prompt tokens found");
    }
}
