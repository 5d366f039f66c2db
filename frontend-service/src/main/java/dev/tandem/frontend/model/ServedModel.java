package dev.tandem.frontend.model;

import jakarta.inject.Singleton;

import dev.tandem.frontend.config.FrontendConfig;
import dev.tandem.model.ModelCard;
import dev.tandem.model.ModelConfig;
import dev.tandem.tokenizer.Tokenizer;

/** The model as the frontend knows it: its name, metadata and tokenizer. The weights stay with the workers. */
@Singleton
public class ServedModel {

    private final String name;
    private final ModelCard model;
    private final long createdAtSeconds = System.currentTimeMillis() / 1000;

    public ServedModel(FrontendConfig config) {
        this.name = config.resolvedServedModelName();
        this.model = ModelCard.load(config.model());
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
