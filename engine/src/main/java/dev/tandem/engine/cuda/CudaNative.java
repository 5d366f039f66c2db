package dev.tandem.engine.cuda;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel library {@code libtandem_cuda.so} (built from {@code src-native/} by {@code src-native/build.sh}):
 * its JNI entry points and how it is found. Failures are thrown as {@link CudaException}s. Pointers are
 * passed as longs: device pointers from {@link #malloc}, host addresses of native memory segments.
 */
final class CudaNative {

    static final String FILE_NAME = System.mapLibraryName("tandem_cuda");

    private static Path loaded;

    private CudaNative() {
    }

    /**
     * Loads the library once: {@code library} if given, else the first libtandem_cuda.so found on
     * {@code java.library.path} or in {@code src-native/build} of the working directory or its parents.
     *
     * @throws CudaException (kind LIBRARY) when it is missing or does not load
     */
    static synchronized Path load(Optional<Path> library) {
        if (loaded != null) {
            return loaded;
        }
        Path path = find(library);
        try {
            System.load(path.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            throw new CudaException(CudaException.Kind.LIBRARY, "cannot load the CUDA kernel library " + path + ": "
                    + e.getMessage(), e);
        }
        loaded = path;
        return path;
    }

    /** The library file {@link #load} would load. */
    static Path find(Optional<Path> library) {
        List<Path> candidates = library.map(List::of).orElseGet(CudaNative::searchPath);
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new CudaException(
                CudaException.Kind.LIBRARY, "the CUDA kernel library " + FILE_NAME + " was not found (looked at "
                + candidates + "): build it with src-native/build.sh and point tandem.engine.cuda.library at it", null));
    }

    static List<Path> searchPath() {
        List<Path> paths = new ArrayList<>();
        for (String dir : System.getProperty("java.library.path", "").split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                paths.add(Path.of(dir, FILE_NAME));
            }
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            paths.add(dir.resolve("src-native").resolve("build").resolve(FILE_NAME));
        }
        return paths;
    }

    /** CUDART_VERSION the library was built with (e.g. 13000). */
    static native int runtimeVersion();

    /** The GPU code in the library: {@code sm_80 sm_90 compute_90}. */
    static native String architectures();

    /** Selects the device and creates its context. */
    static native void setDevice(int device);

    static native long malloc(long bytes);

    static native void free(long devicePointer);

    static native void upload(long devicePointer, long hostAddress, long bytes);

    /** Bytes per second of a device-to-device copy of {@code bytes} (read plus write), best of {@code repeats}. */
    static native double copyBandwidth(long bytes, int repeats);

    /** A device model from {@link ModelDescriptor}'s arrays; allocates activations and the KV cache. */
    static native long createModel(int[] ints, float[] floats, long[] pointers);

    static native void destroyModel(long model);

    /**
     * One forward pass of n entries; tables holds n rows of {@code stride} block ids. Logits of the entries
     * listed in want[0..wanted) go to {@code logits} rows (null: not copied), their argmax to {@code greedy} (null: none).
     */
    static native void forward(long model, int n, int[] tokens, int[] positions, int[] tables, int stride, int[] want,
                               int wanted, boolean prompt, float[][] logits, int[] greedy);

    /** Host address of the pinned staging of one KV block: K then V, layers × tokens × kvDim floats each. */
    static native long kvStaging(long model);

    static native void kvRead(long model, int block, int tokens);

    static native void kvWrite(long model, int block, int tokens);
}
