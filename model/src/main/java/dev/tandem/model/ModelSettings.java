package dev.tandem.model;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The model settings every service shares: one GGUF file for all of them ({@code TANDEM_MODEL}), and the
 * name clients use for it. A config group: each service's {@code @ConfigMapping(prefix = "tandem")} extends it.
 */
public interface ModelSettings {

    /** The GGUF file to serve; absent = the built-in synthetic model. */
    Optional<Path> model();

    /** The name in {@code /v1/models} and in requests' {@code model}; defaults to the GGUF file name without extension. */
    Optional<String> servedModelName();

    default String resolvedServedModelName() {
        return ServedModelName.of(model(), servedModelName());
    }
}
