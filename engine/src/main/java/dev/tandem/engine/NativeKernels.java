package dev.tandem.engine;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The native CPU kernel library ({@code libtandem_cpu.so}, src-native/cpu) bound with the FFM API. Loaded on
 * first use (never while a native image is built), from, in order: the system property
 * {@code tandem.engine.cpu.library} (a file), the engine's class path ({@code native/<os>-<arch>/}, where the
 * Maven build puts it; extracted to a temporary file from a jar), {@code engine/target/native} up from the working
 * directory, and the directory of the running executable. Weights are passed as the mapped segments they are.
 */
public final class NativeKernels {

    public static final String LIBRARY_PROPERTY = "tandem.engine.cpu.library";
    /** Forces an instruction set below the detected one: {@code generic}, {@code avx2}, {@code avx512}. */
    public static final String ISA_PROPERTY = "tandem.engine.cpu.isa";

    static final int ACT_FLOAT = 0;
    static final int ACT_Q8_0 = 1;
    static final int ACT_Q8_K = 2;

    private static final int VERSION = 2;
    /** Added to a GGML type id: the type's repacked layout ({@link #repack}). */
    static final int REPACKED = 0x100;
    private static final String[] ISA_NAMES = {"generic", "avx2", "avx512", "neon"};
    private static final Logger LOG = Logger.getLogger(NativeKernels.class);

    private static volatile Optional<NativeKernels> instance;
    private static volatile String failure = "not loaded yet";

    private final Path path;
    private final MethodHandle detected;
    private final MethodHandle isa;
    private final MethodHandle select;
    private final MethodHandle floatLanes;
    private final MethodHandle actBytes;
    private final MethodHandle quantize;
    private final MethodHandle matmul;
    private final MethodHandle repackedBytes;
    private final MethodHandle repack;

    private NativeKernels(Path path, SymbolLookup lookup) {
        this.path = path;
        Linker linker = Linker.nativeLinker();
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        ValueLayout.OfLong j = ValueLayout.JAVA_LONG;
        var a = ValueLayout.ADDRESS;
        MethodHandle version = handle(linker, lookup, "tandem_cpu_version", FunctionDescriptor.of(i));
        try {
            int v = (int) version.invokeExact();
            if (v != VERSION) {
                throw new IllegalStateException(path + " has ABI version " + v + ", expected " + VERSION + " (rebuild it)");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        this.detected = handle(linker, lookup, "tandem_cpu_detected", FunctionDescriptor.of(i));
        this.isa = handle(linker, lookup, "tandem_cpu_isa", FunctionDescriptor.of(i));
        this.select = handle(linker, lookup, "tandem_cpu_select", FunctionDescriptor.of(i, i));
        this.floatLanes = handle(linker, lookup, "tandem_cpu_float_lanes", FunctionDescriptor.of(i));
        this.actBytes = handle(linker, lookup, "tandem_act_bytes", FunctionDescriptor.of(j, i, j));
        this.quantize = handle(linker, lookup, "tandem_quantize", FunctionDescriptor.ofVoid(i, a, j, j, j, a, j));
        this.matmul = handle(linker, lookup, "tandem_matmul", FunctionDescriptor.of(i, i, a, j, j, j, a, j, j, a, j));
        this.repackedBytes = handle(linker, lookup, "tandem_repacked_bytes", FunctionDescriptor.of(j, i, j, j));
        this.repack = handle(linker, lookup, "tandem_repack", FunctionDescriptor.of(i, i, a, j, j, a));
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " missing"));
        return linker.downcallHandle(symbol, fd);
    }

    /** The library, loading it on first call; empty when it cannot be loaded ({@link #failure()} says why). */
    public static Optional<NativeKernels> get() {
        Optional<NativeKernels> lib = instance;
        if (lib == null) {
            synchronized (NativeKernels.class) {
                lib = instance;
                if (lib == null) {
                    lib = load();
                    instance = lib;
                }
            }
        }
        return lib;
    }

    /** Why the library is not available. */
    public static String failure() {
        return failure;
    }

    private static Optional<NativeKernels> load() {
        List<String> tried = new ArrayList<>();
        for (Path candidate : candidates(tried)) {
            if (!Files.isRegularFile(candidate)) {
                tried.add(candidate + " (absent)");
                continue;
            }
            try {
                SymbolLookup lookup = SymbolLookup.libraryLookup(candidate, Arena.global());
                NativeKernels lib = new NativeKernels(candidate, lookup);
                String forced = System.getProperty(ISA_PROPERTY);
                if (forced != null && !forced.isBlank()) {
                    lib.select(forced);
                }
                LOG.debugf("Loaded native CPU kernels %s (%s)", candidate, lib.describe());
                failure = null;
                return Optional.of(lib);
            } catch (RuntimeException | Error e) {
                tried.add(candidate + " (" + e.getMessage() + ")");
            }
        }
        failure = "libtandem_cpu not found or not loadable; tried " + String.join(", ", tried);
        return Optional.empty();
    }

    private static List<Path> candidates(List<String> tried) {
        List<Path> out = new ArrayList<>();
        String explicit = System.getProperty(LIBRARY_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            out.add(Path.of(explicit));
            return out;
        }
        String file = System.mapLibraryName("tandem_cpu");
        String resource = "native/" + platform() + "/" + file;
        URL url = NativeKernels.class.getClassLoader() == null ? null : NativeKernels.class.getClassLoader().getResource(resource);
        if (url != null) {
            try {
                if ("file".equals(url.getProtocol())) {
                    out.add(Path.of(url.toURI()));
                } else {
                    Path tmp = Files.createTempFile("tandem_cpu", ".so");
                    tmp.toFile().deleteOnExit();
                    try (InputStream in = url.openStream()) {
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    }
                    out.add(tmp);
                }
            } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
                tried.add(url + " (" + e.getMessage() + ")");
            }
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            out.add(dir.resolve("engine/target/native").resolve(file));
            out.add(dir.resolve("target/native").resolve(file));
        }
        ProcessHandle.current().info().command().ifPresent(cmd -> {
            Path parent = Path.of(cmd).getParent();
            if (parent != null) {
                out.add(parent.resolve(file));
            }
        });
        return out;
    }

    /** {@code linux-x86_64}, {@code linux-aarch64}, ...: the class-path folder of this platform's library. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.contains("mac") ? "macos" : os.replaceAll("[^a-z0-9]", "");
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "arm64", "aarch64" -> "aarch64";
            default -> arch;
        };
        return o + "-" + a;
    }

    public Path path() {
        return path;
    }

    /** The instruction set of the kernels in use. */
    public String isaName() {
        return ISA_NAMES[callInt(isa)];
    }

    /** The best instruction set the CPU runs. */
    public String detectedIsaName() {
        return ISA_NAMES[callInt(detected)];
    }

    /** Lanes of the float kernels (8 or 16). */
    public int floatLanes() {
        return callInt(floatLanes);
    }

    /** e.g. "avx512 (detected avx512, float lanes 16)". */
    public String describe() {
        return isaName() + " (detected " + detectedIsaName() + ", float lanes " + floatLanes() + ")";
    }

    /** Selects the kernels of an instruction set up to the detected one (process-wide); returns the one selected. */
    public String select(String isaName) {
        int wanted = List.of(ISA_NAMES).indexOf(isaName.trim().toLowerCase(Locale.ROOT));
        if (wanted < 0) {
            throw new IllegalArgumentException(ISA_PROPERTY + " must be one of " + List.of(ISA_NAMES) + ", got " + isaName);
        }
        try {
            return ISA_NAMES[(int) select.invokeExact(wanted)];
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long actBytes(int kind, long cols) {
        try {
            return (long) actBytes.invokeExact(kind, cols);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void quantize(int kind, MemorySegment x, long xStride, long cols, long batch, MemorySegment act, long stride) {
        try {
            quantize.invokeExact(kind, x, xStride, cols, batch, act, stride);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The weights of a Q8_0 or Q4_0 matrix in the layout the native kernels multiply (src-native/cpu/tandem_cpu.h:
     * tiles of 16 rows, four weights of every row of a tile side by side; the same size as GGUF's), in native memory
     * that lives as long as the returned segment is reachable; empty for other types.
     */
    Optional<MemorySegment> repack(int type, MemorySegment w, long rows, long cols) {
        try {
            long bytes = (long) repackedBytes.invokeExact(type, rows, cols);
            if (bytes < 0) {
                return Optional.empty();
            }
            MemorySegment dst = Arena.ofAuto().allocate(Math.max(bytes, 1), 64);
            int packed = (int) repack.invokeExact(type, w, rows, cols, dst);
            if (packed != type + REPACKED) {
                throw new IllegalStateException("tandem_repack returned " + packed + " for GGML type " + type);
            }
            return Optional.of(dst);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void matmul(int type, MemorySegment w, long cols, long r0, long r1, MemorySegment act, long stride, long batch,
                MemorySegment out, long ostride) {
        int rc;
        try {
            rc = (int) matmul.invokeExact(type, w, cols, r0, r1, act, stride, batch, out, ostride);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw new IllegalArgumentException("native kernels do not multiply GGML type " + type);
        }
    }

    private static int callInt(MethodHandle h) {
        try {
            return (int) h.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
