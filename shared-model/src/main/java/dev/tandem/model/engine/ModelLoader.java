package dev.tandem.model.engine;

import dev.tandem.model.gguf.GgufFile;
import dev.tandem.model.tokenizer.Tokenizer;
import dev.tandem.model.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/** Loads a GGUF model, or the built-in synthetic one when no file is given. */
public final class ModelLoader {

    private ModelLoader() {
    }

    /**
     * @param gguf        the model file; empty = {@link SyntheticModel}
     * @param withWeights false for metadata and tokenizer only (the file is closed again)
     * @throws UncheckedIOException        when the file cannot be read or is not valid GGUF
     *                                     (the cause is then a {@link dev.tandem.model.gguf.GgufFormatException})
     * @throws UnsupportedModelException   for architectures, tensor types or shapes the engine does not handle
     * @throws UnsupportedOperationException for tokenizer models not implemented yet
     */
    public static LoadedModel load(Optional<Path> gguf, boolean withWeights) {
        if (gguf.isEmpty()) {
            return SyntheticModel.load(withWeights);
        }
        Path path = gguf.get();
        GgufFile file;
        try {
            file = GgufFile.open(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load model " + path + ": " + e.getMessage(), e);
        }
        try {
            LoadedModel model = fromGguf(file, withWeights);
            if (!withWeights) {
                file.close();
            }
            return model;
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Builds the model from an open file; with weights, the returned model owns (closes) the file. */
    public static LoadedModel fromGguf(GgufFile file, boolean withWeights) {
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
        LlamaWeights weights = withWeights ? LlamaWeights.fromGguf(file, config) : null;
        return new LoadedModel(config, tokenizer, weights);
    }

    private static String stem(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }
}
