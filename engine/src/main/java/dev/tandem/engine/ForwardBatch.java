package dev.tandem.engine;

/**
 * One forward pass's inputs: entry i is {@code tokens[i]} at {@code positions[i]} of the sequence
 * whose block table is {@code blockTables[i]}. {@code prompt}: prompt processing rather than a
 * decoding step, which selects the kernels of quantized weights (see {@link Activations}).
 */
public record ForwardBatch(int[] tokens, int[] positions, int[][] blockTables, boolean[] wantLogits, boolean prompt) {

    public int size() {
        return tokens.length;
    }
}
