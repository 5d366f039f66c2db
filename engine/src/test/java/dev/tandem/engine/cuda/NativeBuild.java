package dev.tandem.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * For the tests: builds {@code libtandem_cuda.so} with {@code src-native/build.sh} (once per run; the script
 * skips an up-to-date library) and loads it, or skips the test where there is no CUDA toolkit.
 */
public final class NativeBuild {

    private static Path library;

    private NativeBuild() {
    }

    /** The built and loaded library, or a skipped test without nvcc. */
    public static synchronized Path library() {
        if (library == null) {
            Path root = root();
            Path script = root.resolve("src-native").resolve("build.sh");
            Assumptions.assumeTrue(Files.isExecutable(script), script + " not found: skipping");
            Assumptions.assumeTrue(nvccPresent(), "no CUDA toolkit (nvcc not on PATH, no /usr/local/cuda/bin/nvcc): "
                    + "the native library is not built, skipping");
            try {
                Process p = new ProcessBuilder("bash", script.toString()).inheritIO().start();
                if (!p.waitFor(15, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("src-native/build.sh took over 15 minutes");
                }
                assertEquals(0, p.exitValue(), "src-native/build.sh failed");
            } catch (IOException e) {
                throw new IllegalStateException("cannot run src-native/build.sh", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            library = CudaNative.load(Optional.of(root.resolve("src-native/build").resolve(CudaNative.FILE_NAME)));
        }
        return library;
    }

    /** Whether a CUDA device can be used here (driver and device present); false on machines without a GPU. */
    public static boolean gpuPresent() {
        try {
            CudaDevices.probe(0);
            return true;
        } catch (CudaException e) {
            return false;
        }
    }

    /** Skips the test unless a GPU is present, saying what was missing. */
    public static CudaDevices.Device requireGpu() {
        try {
            return CudaDevices.probe(0);
        } catch (CudaException e) {
            Assumptions.abort("GPU test skipped: " + e.getMessage());
            throw e;
        }
    }

    private static boolean nvccPresent() {
        if (Files.isExecutable(Path.of("/usr/local/cuda/bin/nvcc"))) {
            return true;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, "nvcc"))) {
                return true;
            }
        }
        return false;
    }

    private static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("src-native")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("project root (with src-native/) not found above " + Path.of("").toAbsolutePath());
    }
}
