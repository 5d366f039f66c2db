package dev.tandem.engine.kv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * K/V data in Java arrays, for the CPU forward pass: per layer and per block one {@code float[blockSize * kvDim]} for
 * K and one for V, position-major, so a block's slice for one layer is contiguous for transfer and attention, and no
 * single Java array must hold a whole layer (no 2 GiB limit).
 */
public final class HostKvStore implements KvBlockStore {

    private final KvTransferFormat format;
    /** keys[layer][block] = float[blockSize * kvDim]. */
    private final float[][][] keys;
    private final float[][][] values;

    public HostKvStore(KvTransferFormat format, int numBlocks) {
        this.format = format;
        this.keys = new float[format.numLayers()][numBlocks][];
        this.values = new float[format.numLayers()][numBlocks][];
        for (int l = 0; l < format.numLayers(); l++) {
            for (int b = 0; b < numBlocks; b++) {
                keys[l][b] = new float[format.floatsPerLayer()];
                values[l][b] = new float[format.floatsPerLayer()];
            }
        }
    }

    /** K of one block of one layer: {@code blockSize * kvDim} floats, slot-major. */
    public float[] keys(int layer, int blockId) {
        return keys[layer][blockId];
    }

    /** V of one block of one layer (see {@link #keys}). */
    public float[] values(int layer, int blockId) {
        return values[layer][blockId];
    }

    @Override
    public void read(int blockId, int tokens, ByteBuffer keysOut, ByteBuffer valuesOut) {
        copyOut(keys, blockId, tokens, keysOut);
        copyOut(values, blockId, tokens, valuesOut);
    }

    @Override
    public void write(int blockId, int tokens, ByteBuffer keysIn, ByteBuffer valuesIn) {
        copyIn(keys, blockId, tokens, keysIn);
        copyIn(values, blockId, tokens, valuesIn);
    }

    private void copyOut(float[][][] data, int id, int tokens, ByteBuffer out) {
        FloatBuffer floats = out.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int l = 0; l < format.numLayers(); l++) {
            floats.put(data[l][id], 0, tokens * format.kvDim());
        }
        out.position(out.position() + format.transferBytes(tokens));
    }

    private void copyIn(float[][][] data, int id, int tokens, ByteBuffer in) {
        FloatBuffer floats = in.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int l = 0; l < format.numLayers(); l++) {
            floats.get(data[l][id], 0, tokens * format.kvDim());
        }
        in.position(in.position() + format.transferBytes(tokens));
    }
}
