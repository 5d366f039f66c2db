package dev.tandem.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** What the packaged frontend ships: its own code, the protocol, tokenizer, model card and telemetry; no engine. */
class FrontendPackageTest {

    @Test
    void frontendShipsNoEngineNoCudaAndNoTools() throws IOException {
        Path lib = ProjectClasses.root().resolve("frontend-service/target/quarkus-app/lib");
        assertTrue(Files.isDirectory(lib), lib + " is missing: package the frontend first (./mvnw verify)");
        try (Stream<Path> files = Files.walk(lib)) {
            List<String> forbidden = files.map(path -> path.getFileName().toString())
                    .filter(name -> name.contains("jcuda") || name.startsWith("dev.tandem.engine")
                            || name.startsWith("dev.tandem.worker-runtime") || name.startsWith("dev.tandem.tools"))
                    .toList();
            assertEquals(List.of(), forbidden);
        }
    }
}
