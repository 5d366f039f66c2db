package dev.tandem.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The repository under test, and the outside tools the checks run (each check skips, saying why, without its tool). */
final class Repo {

    static final Path ROOT = Path.of(System.getProperty("project.root.dir", "..")).toAbsolutePath().normalize();
    static final Path TOOLS = ROOT.resolve("deploy-tests/tools");

    private Repo() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Optional<Path> onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, command))
                .filter(Files::isExecutable)
                .findFirst();
    }

    static Path requireOnPath(String command, String why) {
        Optional<Path> found = onPath(command);
        assumeTrue(found.isPresent(), command + " is not on the PATH: " + why + " skipped");
        return found.get();
    }

    /** Runs a script of deploy-tests/tools with node; skips when node or the tools' packages are missing. */
    static String node(String script, String stdin, List<String> args) {
        Path node = requireOnPath("node", script);
        assumeTrue(Files.isDirectory(TOOLS.resolve("node_modules")),
                "deploy-tests/tools/node_modules is missing (npm ci --prefix deploy-tests/tools): " + script + " skipped");
        List<String> command = new ArrayList<>(List.of(node.toString(), TOOLS.resolve(script).toString()));
        command.addAll(args);
        return run(command, stdin);
    }

    /** Stdout of a command that must succeed within a minute. */
    static String run(List<String> command, String stdin) {
        try {
            Path errors = Files.createTempFile("deploy-tests", ".err");
            Process process = new ProcessBuilder(command).directory(ROOT.toFile())
                    .redirectError(errors.toFile()).start();
            try (var in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Timed out: " + command);
            }
            String err = Files.readString(errors);
            Files.delete(errors);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " failed (" + process.exitValue() + "): " + err);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
