package dev.tandem.model.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pool whose data lives in a store (device memory) allocates blocks as usual and transfers through the store. */
class KvBlockStoreTest {

    @Test
    void transfersGoThroughTheStore() {
        List<String> calls = new ArrayList<>();
        KvBlockStore store = new KvBlockStore() {
            @Override
            public void read(int blockId, int tokens, ByteBuffer keys, ByteBuffer values) {
                calls.add("read " + blockId + " " + tokens);
                keys.position(keys.position() + tokens * 2 * 4 * Float.BYTES);
                values.position(values.position() + tokens * 2 * 4 * Float.BYTES);
            }

            @Override
            public void write(int blockId, int tokens, ByteBuffer keys, ByteBuffer values) {
                calls.add("write " + blockId + " " + tokens);
            }
        };
        KvBlockPool pool = new KvBlockPool(2, 4, 16, 8, store);
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
}
