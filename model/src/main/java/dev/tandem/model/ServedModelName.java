package dev.tandem.model;

import java.nio.file.Path;
import java.util.Optional;


/** How a served model is named when the operator does not name it: after its file, like llama.cpp's server. */
public final class ServedModelName {

    private ServedModelName() {
    }

    public static String of(Optional<Path> model, Optional<String> override) {
        return override.filter(name -> !name.isBlank())
                .orElseGet(() -> model.map(ServedModelName::stem).orElse(SyntheticModel.NAME));
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".gguf") ? name.substring(0, name.length() - ".gguf".length()) : name;
    }
}
