package dev.tandem.engine.cuda;

import java.util.Arrays;
import java.util.Locale;

/** Where a worker's engine runs ({@code tandem.engine.backend}). */
public enum EngineBackend {
    /** The CPU kernels. */
    CPU,
    /** An NVIDIA GPU; startup fails, saying why, when it cannot be used. */
    CUDA,
    /** The GPU when it can be used, else the CPU (with a log line saying why). */
    AUTO;

    public static EngineBackend parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tandem.engine.backend '" + value + "' is not one of "
                    + Arrays.toString(values()).toLowerCase(Locale.ROOT));
        }
    }
}
