package dev.tandem.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The kernel library builds, loads without a driver, and maps CUDA failures to clear exceptions. */
class CudaLibraryTest {

    @Test
    void buildsAndLoadsWithTheRuntimeLinkedStatically() {
        NativeBuild.library();
        assertTrue(CudaNative.runtimeVersion() >= 12000, "CUDA runtime " + CudaNative.runtimeVersion());
        String archs = CudaNative.architectures();
        assertTrue(archs.contains("sm_90") && archs.contains("compute_"), archs);
        System.out.println("libtandem_cuda.so: CUDA runtime " + CudaDevices.version(CudaNative.runtimeVersion()) + ", " + archs);
    }

    @Test
    void withoutADriverSelectingTheDeviceSaysSo() {
        NativeBuild.library();
        Assumptions.assumeFalse(NativeBuild.gpuPresent(), "a GPU is present: the no-driver path cannot be exercised here");
        CudaException e = assertThrows(CudaException.class, () -> CudaNative.setDevice(0));
        System.out.println("setDevice(0) without a driver: " + e.getMessage() + " (" + e.kind() + ")");
        assertTrue(e.getMessage().startsWith("selecting CUDA device 0: cuda"), e.getMessage());
        assertTrue(e.kind() == CudaException.Kind.DRIVER_TOO_OLD || e.kind() == CudaException.Kind.NO_DEVICE, e.kind().toString());
    }

    @Test
    void aMissingLibraryIsALibraryError() {
        CudaException e = assertThrows(CudaException.class, () -> CudaNative.find(Optional.of(Path.of("/nonexistent/libtandem_cuda.so"))));
        assertEquals(CudaException.Kind.LIBRARY, e.kind());
        assertTrue(e.getMessage().contains("/nonexistent/libtandem_cuda.so") && e.getMessage().contains("src-native/build.sh"), e.getMessage());
    }

    @Test
    void cudaErrorCodesMapToKinds() {
        assertEquals(CudaException.Kind.OUT_OF_MEMORY, new CudaException(2, "x").kind());
        assertEquals(CudaException.Kind.DRIVER_TOO_OLD, new CudaException(35, "x").kind());
        assertEquals(CudaException.Kind.NO_DEVICE, new CudaException(100, "x").kind());
        assertEquals(CudaException.Kind.NO_KERNEL_IMAGE, new CudaException(209, "x").kind());
        assertEquals(CudaException.Kind.OTHER, new CudaException(700, "x").kind());
    }

    @Test
    void architectureCompatibility() {
        String archs = "sm_80 sm_90 compute_90";
        assertTrue(CudaBuild.runs(archs, 8, 0));
        assertTrue(CudaBuild.runs(archs, 8, 6), "sm_80 cubins run on 8.6");
        assertTrue(CudaBuild.runs(archs, 8, 9));
        assertTrue(CudaBuild.runs(archs, 9, 0));
        assertTrue(CudaBuild.runs(archs, 10, 0), "compute_90 PTX is compiled for newer GPUs");
        assertTrue(CudaBuild.runs(archs, 12, 0));
        assertTrue(!CudaBuild.runs(archs, 7, 5), "nothing for Turing");
        assertTrue(!CudaBuild.runs("sm_80 sm_90", 10, 0), "no PTX: no code for Blackwell");
    }
}
