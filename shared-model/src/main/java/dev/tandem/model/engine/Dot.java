package dev.tandem.model.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Dot products, the engine's only hot kernel. Uses the Vector API when the
 * {@code jdk.incubator.vector} module is present (and {@code -Dtandem.vector=false} is not set),
 * plain loops otherwise, so the engine also runs on a JVM started without
 * {@code --add-modules jdk.incubator.vector}.
 */
final class Dot {

    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final boolean VECTOR = Boolean.parseBoolean(System.getProperty("tandem.vector", "true"))
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private Dot() {
    }

    /** Σ a[aOff+i]·b[bOff+i] for i in [0, n). */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return VECTOR ? VectorDot.dot(a, aOff, b, bOff, n) : scalar(a, aOff, b, bOff, n);
    }

    /** Σ w[i]·x[xOff+i] where w is n little-endian float32 values at {@code byteOffset} of the segment. */
    static float dot(MemorySegment w, long byteOffset, float[] x, int xOff, int n) {
        return VECTOR ? VectorDot.dot(w, byteOffset, x, xOff, n) : scalar(w, byteOffset, x, xOff, n);
    }

    static float scalar(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    static float scalar(MemorySegment w, long byteOffset, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += w.get(LE_FLOAT, byteOffset + 4L * i) * x[xOff + i];
        }
        return sum;
    }
}
