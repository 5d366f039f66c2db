package dev.tandem.engine;

import dev.tandem.model.ModelConfig;
import dev.tandem.tokenizer.Tokenizer;
import java.util.Objects;

/** A model ready to serve: its config, tokenizer and weights (a metadata-only load is a {@link dev.tandem.model.ModelCard}). */
public record LoadedModel(ModelConfig config, Tokenizer tokenizer, LlamaWeights weights) implements AutoCloseable {

    public LoadedModel {
        Objects.requireNonNull(weights, "weights");
    }

    /** Unmaps the weights' file, if any. */
    @Override
    public void close() {
        weights.close();
    }
}
