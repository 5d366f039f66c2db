package dev.tandem.engine.cuda;

/**
 * The GPU backend cannot start or a device call failed, with a message that says why: no driver,
 * a driver too old for the library, no device, no kernels for this GPU, out of device memory, the
 * kernel library missing. {@link #kind()} classifies it; {@link #code()} is the CUDA error, if any.
 */
public final class CudaException extends RuntimeException {

    public enum Kind { NO_DRIVER, DRIVER_TOO_OLD, NO_DEVICE, NO_KERNEL_IMAGE, OUT_OF_MEMORY, LIBRARY, OTHER }

    /** cudaError_t values the messages are specific about. */
    static final int MEMORY_ALLOCATION = 2;
    static final int INSUFFICIENT_DRIVER = 35;
    static final int NO_DEVICE = 100;
    static final int INVALID_DEVICE = 101;
    static final int NO_KERNEL_IMAGE = 209;
    static final int UNSUPPORTED_PTX_VERSION = 222;
    static final int SYSTEM_DRIVER_MISMATCH = 803;

    private final int code;
    private final Kind kind;

    /** Thrown by the native library: a cudaError_t and a message naming the call. */
    CudaException(int code, String message) {
        super(message);
        this.code = code;
        this.kind = kindOf(code);
    }

    CudaException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.code = 0;
        this.kind = kind;
    }

    static Kind kindOf(int code) {
        return switch (code) {
            case MEMORY_ALLOCATION -> Kind.OUT_OF_MEMORY;
            case INSUFFICIENT_DRIVER, SYSTEM_DRIVER_MISMATCH, UNSUPPORTED_PTX_VERSION -> Kind.DRIVER_TOO_OLD;
            case NO_DEVICE, INVALID_DEVICE -> Kind.NO_DEVICE;
            case NO_KERNEL_IMAGE -> Kind.NO_KERNEL_IMAGE;
            default -> Kind.OTHER;
        };
    }

    /** The cudaError_t (0 when the failure was not a CUDA call's). */
    public int code() {
        return code;
    }

    public Kind kind() {
        return kind;
    }
}
