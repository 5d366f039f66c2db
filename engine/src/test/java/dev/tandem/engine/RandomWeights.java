package dev.tandem.engine;

import dev.tandem.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Random weights in a GGUF tensor's layout, with sane scales for each block format: the kernel tests' input. */
final class RandomWeights {

    private RandomWeights() {
    }

    static MemorySegment of(GgmlType type, int rows, int cols, Random rnd) {
        long bytes = type.byteSize((long) rows * cols);
        MemorySegment seg = Arena.ofAuto().allocate(bytes, 64);
        for (long i = 0; i < bytes; i++) {
            seg.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt());
        }
        ValueLayout.OfShort half = F16Matrix.LE_SHORT;
        switch (type) {
            case F32 -> {
                for (long i = 0; i < bytes; i += 4) {
                    seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) rnd.nextGaussian());
                }
            }
            case F16 -> {
                for (long i = 0; i < bytes; i += 2) {
                    // Subnormal, zero and negative-zero halves included.
                    float v = (float) rnd.nextGaussian() * (rnd.nextInt(8) == 0 ? 1e-6f : 1f);
                    seg.set(half, i, Float.floatToFloat16(rnd.nextInt(50) == 0 ? -0f : v));
                }
            }
            case BF16 -> {
                for (long i = 0; i < bytes; i += 2) {
                    seg.set(half, i, (short) (Float.floatToIntBits((float) rnd.nextGaussian()) >>> 16));
                }
            }
            case Q8_0, Q4_0 -> {
                for (long o = 0; o < bytes; o += type.typeSize()) {
                    seg.set(half, o, Float.floatToFloat16(0.001f + 0.02f * rnd.nextFloat()));
                }
            }
            case Q4_K, Q5_K -> {
                for (long o = 0; o < bytes; o += type.typeSize()) {
                    seg.set(half, o, Float.floatToFloat16(0.0005f + 0.002f * rnd.nextFloat()));
                    seg.set(half, o + 2, Float.floatToFloat16(0.0005f + 0.002f * rnd.nextFloat()));
                }
            }
            case Q6_K -> {
                for (long o = 0; o < bytes; o += type.typeSize()) {
                    seg.set(half, o + 208, Float.floatToFloat16(0.0002f + 0.001f * rnd.nextFloat()));
                }
            }
            default -> throw new AssertionError(type);
        }
        return seg;
    }
}
