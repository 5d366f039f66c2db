package dev.tandem.model;

import dev.tandem.gguf.GgufFile;
import dev.tandem.tokenizer.Tokenizer;
import dev.tandem.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a GGUF says about its model without its weights: the architecture's config and the tokenizer. The frontend
 * serves from this alone; the engine loads the weights on top of it.
 */
public record ModelCard(ModelConfig config, Tokenizer tokenizer) {

    /**
     * Reads a model's card and closes the file again.
     *
     * @param gguf the model file; empty = the built-in {@link SyntheticModel}
     * @throws UncheckedIOException      when the file cannot be read or is not valid GGUF
     *                                   (the cause is then a {@link dev.tandem.gguf.GgufFormatException})
     * @throws UnsupportedModelException for architectures or shapes the engine does not handle
     */
    public static ModelCard load(Optional<Path> gguf) {
        if (gguf.isEmpty()) {
            return new ModelCard(SyntheticModel.config(), SyntheticModel.tokenizer());
        }
        try (GgufFile file = open(gguf.get())) {
            return fromGguf(file);
        }
    }

    public static GgufFile open(Path path) {
        try {
            return GgufFile.open(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load model " + path + ": " + e.getMessage(), e);
        }
    }

    /** The card of an open file, which stays open. */
    public static ModelCard fromGguf(GgufFile file) {
        String arch = file.metadata().getString("general.architecture").orElse("(none)");
        if (!RopeStyle.supports(arch)) {
            throw new UnsupportedModelException("model architecture '" + arch + "' is not supported (llama, qwen2)");
        }
        Tokenizer tokenizer = Tokenizers.fromGguf(file);
        int vocabFallback = file.tensor("token_embd.weight").map(t -> (int) t.dim(1)).orElse(tokenizer.vocabSize());
        ModelConfig config = ModelConfig.fromMetadata(file.metadata(), stem(file.path()), vocabFallback);
        int ropeDims = file.metadata().getInt(arch + ".rope.dimension_count", config.headDim());
        if (ropeDims != config.headDim()) {
            throw new UnsupportedModelException("rope.dimension_count " + ropeDims + " != head dim " + config.headDim()
                    + " (partial rotary embeddings are not supported)");
        }
        if (config.vocabSize() != tokenizer.vocabSize()) {
            throw new UnsupportedModelException("vocab size " + config.vocabSize() + " does not match the tokenizer's "
                    + tokenizer.vocabSize() + " tokens");
        }
        return new ModelCard(config, tokenizer);
    }

    private static String stem(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }
}
