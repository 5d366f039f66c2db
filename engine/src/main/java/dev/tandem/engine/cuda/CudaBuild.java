package dev.tandem.engine.cuda;

/** What the GPU code in the kernel library runs on. */
final class CudaBuild {

    private CudaBuild() {
    }

    /**
     * Whether code built for {@code architectures} ({@code "sm_80 sm_90 compute_90"}) runs on a device of
     * compute capability major.minor: a cubin of the same major version and a minor not above the device's,
     * or PTX for an architecture not above it (the driver compiles that at load time).
     */
    static boolean runs(String architectures, int major, int minor) {
        int device = major * 10 + minor;
        for (String arch : architectures.trim().split("\\s+")) {
            int sep = arch.indexOf('_');
            if (sep < 0) {
                continue;
            }
            int target;
            try {
                target = Integer.parseInt(arch.substring(sep + 1).replaceAll("[^0-9]", ""));
            } catch (NumberFormatException e) {
                continue;
            }
            boolean cubin = arch.startsWith("sm_");
            if (cubin ? target / 10 == major && target <= device : arch.startsWith("compute_") && target <= device) {
                return true;
            }
        }
        return false;
    }
}
