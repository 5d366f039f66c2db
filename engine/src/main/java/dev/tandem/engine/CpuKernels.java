package dev.tandem.engine;

import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Which kernels multiply the weights on the CPU ({@code tandem.engine.cpu-kernels}): {@link #NATIVE} the C library
 * {@code libtandem_cpu} (src-native/cpu) through the FFM API, {@link #JAVA} the Vector API (or scalar) kernels,
 * {@link #AUTO} native when the library loads, else Java.
 */
public enum CpuKernels {
    NATIVE, JAVA, AUTO;

    /** The system property naming the kernels for engines built without an explicit choice. */
    public static final String PROPERTY = "tandem.engine.cpu-kernels";

    private static final Logger LOG = Logger.getLogger(CpuKernels.class);

    /** {@code native}, {@code java} or {@code auto} (any case). */
    public static CpuKernels parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + " must be native, java or auto, got '" + value + "'");
        }
    }

    /** The choice in the system property (default auto). */
    public static CpuKernels fromSystemProperty() {
        return parse(System.getProperty(PROPERTY, "auto"));
    }

    /**
     * The kernels this choice runs on: NATIVE or JAVA, logged with the instruction set.
     *
     * @throws IllegalStateException for {@link #NATIVE} when the library does not load (the message says why)
     */
    public CpuKernels resolve() {
        return resolve(NativeKernels.get(), NativeKernels.failure());
    }

    /** {@link #resolve()} with the library given (tests: a missing library). */
    CpuKernels resolve(java.util.Optional<NativeKernels> library, String failure) {
        return switch (this) {
            case JAVA -> {
                LOG.infof("CPU kernels: java (%s=java)", PROPERTY);
                yield JAVA;
            }
            case NATIVE -> {
                NativeKernels lib = library.orElseThrow(() -> new IllegalStateException(PROPERTY
                        + "=native but the native CPU kernel library is not available: " + failure
                        + " (build it with src-native/cpu/build.sh, which the Maven build runs where a C compiler exists,"
                        + " or set " + PROPERTY + "=auto or java)"));
                LOG.infof("CPU kernels: native, instruction set %s, %s", lib.describe(), lib.path());
                yield NATIVE;
            }
            case AUTO -> {
                if (library.isPresent()) {
                    LOG.infof("CPU kernels: native (%s=auto), instruction set %s", PROPERTY, library.get().describe());
                    yield NATIVE;
                }
                LOG.infof("CPU kernels: java (%s=auto; native library unavailable: %s)", PROPERTY, failure);
                yield JAVA;
            }
        };
    }

    /** A label for logs and metrics: {@code native-avx2}, {@code native-avx512}, {@code java-vector}, {@code java-scalar}. */
    public static String label(CpuKernels resolved) {
        if (resolved == NATIVE) {
            return "native-" + NativeKernels.get().map(NativeKernels::isaName).orElse("unavailable");
        }
        return Dot.VECTOR ? "java-vector" : "java-scalar";
    }
}
