package dev.tandem.engine.simd;

/**
 * Whether kernels use the Vector API: when the {@code jdk.incubator.vector} module is present and
 * {@code -Dtandem.vector=false} is not set, and never in a native image (the property below is set while one is
 * built and run), whose support for the incubating Vector API is not to be relied on. Otherwise they run plain
 * loops that compute the same results.
 */
public final class VectorSupport {

    public static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("tandem.vector", "true"))
            && System.getProperty("org.graalvm.nativeimage.imagecode") == null
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private VectorSupport() {
    }
}
