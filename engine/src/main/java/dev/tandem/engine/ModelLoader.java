package dev.tandem.engine;

import dev.tandem.gguf.GgufFile;
import dev.tandem.model.ModelCard;
import dev.tandem.model.UnsupportedModelException;
import dev.tandem.model.SyntheticModel;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/** Loads a GGUF model with its weights, or the built-in synthetic one when no file is given. */
public final class ModelLoader {

    private ModelLoader() {
    }

    /**
     * @param gguf the model file; empty = {@link SyntheticModel}
     * @throws UncheckedIOException          when the file cannot be read or is not valid GGUF
     *                                       (the cause is then a {@link dev.tandem.gguf.GgufFormatException})
     * @throws UnsupportedModelException     for architectures, tensor types or shapes the engine does not handle
     * @throws UnsupportedOperationException for tokenizer models not implemented yet
     */
    public static LoadedModel load(Optional<Path> gguf) {
        if (gguf.isEmpty()) {
            ModelCard card = ModelCard.load(gguf);
            return new LoadedModel(card.config(), card.tokenizer(), SyntheticWeights.create(card.config()));
        }
        GgufFile file = ModelCard.open(gguf.get());
        try {
            return fromGguf(file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Builds the model from an open file; the returned model owns (closes) the file. */
    public static LoadedModel fromGguf(GgufFile file) {
        ModelCard card = ModelCard.fromGguf(file);
        return new LoadedModel(card.config(), card.tokenizer(), LlamaWeights.fromGguf(file, card.config()));
    }
}
