package dev.tandem.chattemplate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The shared reference templates ({@code ../shared/templates}); tests using them skip when it is absent. */
final class SharedTemplates {

    private SharedTemplates() {
    }

    /** The templates directory, or a skipped test when it is not there. */
    static Path dir() {
        String prop = System.getProperty("shared.dir");
        Path shared = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("..", "..", "shared");
        if (!Files.isDirectory(shared)) {
            // Run from the module directory without the property: the project root is one up.
            Path alt = Path.of("..", "..", "shared");
            shared = Files.isDirectory(alt) ? alt : Path.of("..", "shared");
        }
        Path dir = shared.resolve("templates");
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("expected.json")),
                dir.toAbsolutePath().normalize() + "/expected.json (shared templates) not found: skipping");
        return dir;
    }

    static JsonNode expected() {
        try {
            return new ObjectMapper().readTree(dir().resolve("expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String template(String name) {
        try {
            return Files.readString(dir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
