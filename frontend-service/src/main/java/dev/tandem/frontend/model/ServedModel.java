package dev.tandem.frontend.model;

import jakarta.inject.Singleton;

import dev.tandem.frontend.config.FrontendConfig;
import dev.tandem.model.engine.LoadedModel;
import dev.tandem.model.engine.ModelConfig;
import dev.tandem.model.engine.ModelLoader;
import dev.tandem.model.tokenizer.Tokenizer;

/** The model as the frontend knows it: its name, metadata and tokenizer. The weights stay with the workers. */
@Singleton
public class ServedModel {

    private final String name;
    private final LoadedModel model;
    private final long createdAtSeconds = System.currentTimeMillis() / 1000;

    public ServedModel(FrontendConfig config) {
        this.name = config.resolvedServedModelName();
        this.model = ModelLoader.load(config.model(), false);
    }

    public String name() {
        return name;
    }

    public ModelConfig config() {
        return model.config();
    }

    public Tokenizer tokenizer() {
        return model.tokenizer();
    }

    public long createdAtSeconds() {
        return createdAtSeconds;
    }
}
