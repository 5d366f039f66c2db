package dev.tandem.engine.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;

import java.nio.charset.StandardCharsets;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;

/**
 * Device discovery and memory through the CUDA driver API (JCuda): which GPU is there, whether the
 * driver loads, how much memory is free. Independent of the kernel library, so that "no driver" and
 * "no device" are told apart from "library missing" before anything is allocated.
 */
public final class CudaDevices {

    /**
     * @param driverVersion the CUDA version the driver supports, e.g. 13000 for 13.0
     */
    public record Device(int index, String name, int major, int minor, long totalBytes, int driverVersion) {

        @Override
        public String toString() {
            return "cuda:" + index + " " + name + " (compute " + major + "." + minor + ", "
                    + String.format(java.util.Locale.ROOT, "%.1f GiB", totalBytes / (double) (1L << 30)) + ", driver CUDA "
                    + version(driverVersion) + ")";
        }
    }

    /** Why the driver library did not load, from the first attempt (later ones only see NoClassDefFoundError). */
    private static String driverFailure;

    private CudaDevices() {
    }

    /**
     * Initialises the driver and describes device {@code index}.
     *
     * @throws CudaException NO_DRIVER when libcuda.so.1 is missing or fails, NO_DEVICE when there is no such device
     */
    public static synchronized Device probe(int index) {
        initDriver();
        int[] count = {0};
        check(cuDeviceGetCount(count), "counting CUDA devices");
        if (count[0] == 0) {
            throw new CudaException(CudaException.Kind.NO_DEVICE, "no CUDA device found (the NVIDIA driver is loaded but reports no GPU)", null);
        }
        if (index < 0 || index >= count[0]) {
            throw new CudaException(CudaException.Kind.NO_DEVICE, "CUDA device " + index + " requested, but "
                    + count[0] + " device(s) present (0.." + (count[0] - 1) + ")", null);
        }
        CUdevice dev = device(index);
        byte[] name = new byte[256];
        check(cuDeviceGetName(name, name.length, dev), "reading the device name");
        int[] major = {0};
        int[] minor = {0};
        check(cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev), "reading the compute capability");
        check(cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev), "reading the compute capability");
        long[] total = {0};
        check(cuDeviceTotalMem(total, dev), "reading the device memory size");
        int[] driver = {0};
        check(cuDriverGetVersion(driver), "reading the driver version");
        String deviceName = new String(name, StandardCharsets.US_ASCII).trim().replace("\0", "");
        return new Device(index, deviceName, major[0], minor[0], total[0], driver[0]);
    }

    /** Free and total bytes of device {@code index}'s memory, in its primary context (the one the kernels use). */
    public static synchronized long[] memory(int index) {
        initDriver();
        CUdevice dev = device(index);
        CUcontext ctx = new CUcontext();
        check(cuDevicePrimaryCtxRetain(ctx, dev), "retaining the device context");
        try {
            check(cuCtxSetCurrent(ctx), "making the device context current");
            long[] free = {0};
            long[] total = {0};
            check(cuMemGetInfo(free, total), "reading device memory");
            return new long[] {free[0], total[0]};
        } finally {
            cuDevicePrimaryCtxRelease(dev);
        }
    }

    /** 13000 → "13.0". */
    static String version(int cudaVersion) {
        return cudaVersion / 1000 + "." + cudaVersion % 1000 / 10;
    }

    private static void initDriver() {
        int result;
        try {
            result = cuInit(0);
        } catch (LinkageError e) {
            // JCuda's JNI library links libcuda.so.1, which only the NVIDIA driver installs.
            if (driverFailure == null) {
                driverFailure = firstLine(e);
            }
            throw new CudaException(CudaException.Kind.NO_DRIVER, "no NVIDIA driver: the CUDA driver library (libcuda.so.1) "
                    + "could not be loaded (" + driverFailure + ")", e);
        }
        if (result == CUresult.CUDA_ERROR_NO_DEVICE) {
            throw new CudaException(CudaException.Kind.NO_DEVICE, "no CUDA device found (cuInit: CUDA_ERROR_NO_DEVICE)", null);
        }
        if (result == CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH) {
            throw new CudaException(CudaException.Kind.DRIVER_TOO_OLD, "the NVIDIA kernel module and its user-space "
                    + "driver do not match (cuInit: " + CUresult.stringFor(result) + "): reinstall the driver or reboot", null);
        }
        check(result, "initialising the CUDA driver");
    }

    private static CUdevice device(int index) {
        CUdevice dev = new CUdevice();
        check(cuDeviceGet(dev, index), "opening CUDA device " + index);
        return dev;
    }

    private static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(CudaException.Kind.OTHER, what + " failed: " + CUresult.stringFor(result), null);
        }
    }

    /** The line of a native loading error that names the missing library, else its first line. */
    private static String firstLine(Throwable e) {
        String[] lines = String.valueOf(e.getMessage()).split("\n");
        for (String line : lines) {
            if (line.contains("cannot open shared object file")) {
                // "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver….so: libcuda.so.1: cannot open shared object file: …"
                int libcuda = line.indexOf("libcuda");
                return (libcuda >= 0 ? line.substring(libcuda) : line).trim();
            }
        }
        return e.getClass().getSimpleName() + ": " + lines[0];
    }
}
