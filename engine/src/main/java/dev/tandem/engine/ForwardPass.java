package dev.tandem.engine;

import dev.tandem.engine.sampling.Sampler;

/**
 * Where the forward pass runs: the CPU kernels ({@link LlamaForward}) or a device
 * ({@code dev.tandem.engine.cuda}). {@link LlamaEngine} keeps the sequences' bookkeeping
 * (validation, KV block reservation, prompt chunking) for both, so they compute the same function
 * over the same paged KV cache.
 */
public interface ForwardPass extends AutoCloseable {

    /** Prompt tokens per {@link #forward}: prompts are processed in chunks of at most this many. */
    int prefillChunk();

    /** Runs the batch, writing its K/V; returns logits for entries with {@code wantLogits}, null for the others. */
    float[][] forward(ForwardBatch batch);

    /** The index of the largest logit of every wanted entry (0 for the others): greedy decoding. */
    default int[] greedy(ForwardBatch batch) {
        float[][] logits = forward(batch);
        int[] tokens = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            tokens[i] = logits[i] == null ? 0 : Sampler.argmax(logits[i]);
        }
        return tokens;
    }

    /** A short description for logs: {@code cpu, 8 threads}, {@code cuda:0 NVIDIA H100 …}. */
    String describe();

    @Override
    void close();
}
