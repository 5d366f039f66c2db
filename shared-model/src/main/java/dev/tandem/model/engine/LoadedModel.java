package dev.tandem.model.engine;

import dev.tandem.model.tokenizer.Tokenizer;

/**
 * A model ready to serve: its config, tokenizer and, unless loaded metadata-only (the frontend),
 * its weights.
 *
 * @param weights null when loaded without weights
 */
public record LoadedModel(ModelConfig config, Tokenizer tokenizer, LlamaWeights weights) implements AutoCloseable {

    public boolean hasWeights() {
        return weights != null;
    }

    /** Unmaps the weights' file, if any. */
    @Override
    public void close() {
        if (weights != null) {
            weights.close();
        }
    }
}
