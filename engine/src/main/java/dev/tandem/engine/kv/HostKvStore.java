package dev.tandem.engine.kv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * K/V data in Java arrays, for the CPU forward pass: per layer and per block one {@code float[blockSize * kvDim]} for
 * K and one for V, so no single Java array must hold a whole layer (no 2 GiB limit). V is position-major (slot t's
 * values at {@code t * kvDim}), as attention adds whole rows of it; K is dimension-major (dimension c of slot t at
 * {@code c * blockSize + t}), so attention's scores of a block's positions are vector multiply-adds with lanes over
 * positions. Transfers use the position-major {@link KvTransferFormat} for both.
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

    /** K of one block of one layer: {@code blockSize * kvDim} floats, dimension-major. */
    public float[] keys(int layer, int blockId) {
        return keys[layer][blockId];
    }

    /** V of one block of one layer: {@code blockSize * kvDim} floats, slot-major. */
    public float[] values(int layer, int blockId) {
        return values[layer][blockId];
    }

    @Override
    public void read(int blockId, int tokens, ByteBuffer keysOut, ByteBuffer valuesOut) {
        copyOut(keys, true, blockId, tokens, keysOut);
        copyOut(values, false, blockId, tokens, valuesOut);
    }

    @Override
    public void write(int blockId, int tokens, ByteBuffer keysIn, ByteBuffer valuesIn) {
        copyIn(keys, true, blockId, tokens, keysIn);
        copyIn(values, false, blockId, tokens, valuesIn);
    }

    private void copyOut(float[][][] data, boolean transposed, int id, int tokens, ByteBuffer out) {
        FloatBuffer floats = out.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] rows = transposed ? new float[tokens * format.kvDim()] : null;
        for (int l = 0; l < format.numLayers(); l++) {
            if (transposed) {
                transpose(data[l][id], rows, tokens, true);
                floats.put(rows);
            } else {
                floats.put(data[l][id], 0, tokens * format.kvDim());
            }
        }
        out.position(out.position() + format.transferBytes(tokens));
    }

    private void copyIn(float[][][] data, boolean transposed, int id, int tokens, ByteBuffer in) {
        FloatBuffer floats = in.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] rows = transposed ? new float[tokens * format.kvDim()] : null;
        for (int l = 0; l < format.numLayers(); l++) {
            if (transposed) {
                floats.get(rows);
                transpose(data[l][id], rows, tokens, false);
            } else {
                floats.get(data[l][id], 0, tokens * format.kvDim());
            }
        }
        in.position(in.position() + format.transferBytes(tokens));
    }

    /** Between a dimension-major block and {@code tokens} position-major rows, either way. */
    private void transpose(float[] block, float[] rows, int tokens, boolean toRows) {
        int kvDim = format.kvDim();
        int blockSize = format.blockSize();
        for (int t = 0; t < tokens; t++) {
            for (int c = 0; c < kvDim; c++) {
                if (toRows) {
                    rows[t * kvDim + c] = block[c * blockSize + t];
                } else {
                    block[c * blockSize + t] = rows[t * kvDim + c];
                }
            }
        }
    }
}
