package dev.tandem.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Finds the shared reference data (models, goldens, vocab vectors); tests skip when it is absent. */
public final class SharedData {

    private SharedData() {
    }

    /** The shared directory, or a skipped test when it is not there. */
    public static Path dir() {
        String prop = System.getProperty("shared.dir");
        Path dir = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("..", "..", "shared");
        if (!Files.isDirectory(dir)) {
            // Run from the module directory without the property: the project root is one up.
            Path alt = Path.of("..", "..", "shared");
            dir = Files.isDirectory(alt) ? alt : Path.of("..", "shared");
        }
        Assumptions.assumeTrue(Files.isDirectory(dir.resolve("models")), dir.toAbsolutePath().normalize() + " (shared) not found: skipping");
        return dir;
    }

    /** A file under the shared directory, or a skipped test. */
    public static Path file(String relative) {
        Path file = dir().resolve(relative);
        Assumptions.assumeTrue(Files.isRegularFile(file), file + " not found: skipping");
        return file;
    }

    public static Path model(String name) {
        return file("models/" + name);
    }

    public static JsonNode golden(String model) {
        try {
            return new ObjectMapper().readTree(file("golden/" + model + ".golden.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    public static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }
}
