package dev.tandem.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;

/** Every module's main classes as the build left them in {@code <module>/target/classes}. */
final class ProjectClasses {

    static final List<String> MODULES = List.of("gguf", "tokenizer", "model", "engine", "structured", "chat-template",
            "protocol", "telemetry", "worker-runtime", "tools", "prefill-service", "decode-service", "frontend-service");

    private static JavaClasses all;

    private ProjectClasses() {
    }

    static Path root() {
        String configured = System.getProperty("project.root.dir");
        return configured != null ? Path.of(configured) : Path.of("..").toAbsolutePath().normalize();
    }

    static synchronized JavaClasses all() {
        if (all == null) {
            List<Path> dirs = MODULES.stream().map(module -> root().resolve(module).resolve("target/classes")).toList();
            for (Path dir : dirs) {
                assertTrue(Files.isDirectory(dir), dir + " is missing: build every module first (./mvnw verify)");
            }
            all = new ClassFileImporter().importPaths(dirs);
        }
        return all;
    }
}
