package dev.tandem.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The quantizers against blocks worked out by hand from llama.cpp's reference algorithms
 * (quantize_row_q8_0_ref, quantize_row_q4_0_ref in ggml-quants.c).
 */
class GgmlQuantsTest {

    private static byte[] q8(float[] x) {
        MemorySegment out = MemorySegment.ofArray(new byte[x.length / 32 * 34]);
        GgmlQuants.quantizeQ8_0(x, 0, x.length, out, 0);
        return out.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    private static byte[] q4(float[] x) {
        MemorySegment out = MemorySegment.ofArray(new byte[x.length / 32 * 18]);
        GgmlQuants.quantizeQ4_0(x, 0, x.length, out, 0);
        return out.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    private static int half(byte[] b, int offset) {
        return (b[offset] & 0xFF) | (b[offset + 1] & 0xFF) << 8;
    }

    @Test
    void q8_0ScaleAndValuesOfARamp() {
        // x_j = j/2: amax 15.5, d = 15.5/127 = 0.122047..., as half 0.1220703125 (exponent -4,
        // mantissa round(0.95276 * 1024) = 976): bits 0 01011 1111010000 = 0x2FD0.
        // q_j = roundf(x_j / d) = roundf(4.0968 j): 0, 4, 8, 12, 16, 20 (20.48), ..., 127.
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = j / 2f;
        }
        byte[] b = q8(x);
        assertEquals(34, b.length);
        assertEquals(0x2FD0, half(b, 0));
        assertEquals(0, b[2]);
        assertEquals(4, b[3]);
        assertEquals(8, b[4]);
        assertEquals(12, b[5]);
        assertEquals(20, b[2 + 5]);
        assertEquals(53, b[2 + 13]); // 53.26
        assertEquals(127, b[2 + 31]);
    }

    @Test
    void q8_0RoundsHalfwayCasesAwayFromZero() {
        // amax 127 gives d = 1 exactly: values are their own quants, .5 rounds away from zero
        // (roundf), unlike Math.round (-2.5 -> -2) or rint (2.5 -> 2).
        float[] x = new float[32];
        x[0] = 127f;
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 0.5f;
        x[4] = -0.5f;
        x[5] = -127f;
        x[6] = 3.49f;
        byte[] b = q8(x);
        assertEquals(Float.floatToFloat16(1f) & 0xFFFF, half(b, 0));
        assertEquals(127, b[2]);
        assertEquals(3, b[3]);
        assertEquals(-3, b[4]);
        assertEquals(1, b[5]);
        assertEquals(-1, b[6]);
        assertEquals(-127, b[7]);
        assertEquals(3, b[8]);
    }

    @Test
    void zeroBlocksHaveZeroScale() {
        byte[] b8 = q8(new float[64]);
        assertArrayEquals(new byte[68], b8);
        byte[] b4 = q4(new float[32]);
        // max = 0: d = 0 / -8 = -0.0 (half 0x8000), id = 0: every value (0 + 8.5) -> 8.
        assertEquals(0x8000, half(b4, 0));
        for (int j = 0; j < 16; j++) {
            assertEquals((byte) 0x88, b4[2 + j]);
        }
    }

    @Test
    void q4_0ScaleFromTheSignedExtremeAndTruncatedNibbles() {
        // max = -4 (largest magnitude): d = -4/-8 = 0.5 (half 0x3800), id = 2.
        // nibble = min(15, (int8) (x*2 + 8.5)): -4 -> 0 (0.5), 0 -> 8, 1 -> 10 (10.5 truncated),
        // 1.25 -> 11, -1.25 -> 6, 3.9 -> 16.3 -> 15 (clamped), 3 -> 14.
        float[] x = new float[32];
        x[0] = -4f;
        x[1] = 1f;
        x[2] = 1.25f;
        x[3] = -1.25f;
        x[16] = 3.9f;
        x[17] = 3f;
        byte[] b = q4(x);
        assertEquals(18, b.length);
        assertEquals(0x3800, half(b, 0));
        // byte j = element j (low nibble) | element j+16 (high nibble)
        assertEquals((byte) (0 | 15 << 4), b[2]);
        assertEquals((byte) (10 | 14 << 4), b[3]);
        assertEquals((byte) (11 | 8 << 4), b[4]);
        assertEquals((byte) (6 | 8 << 4), b[5]);
        assertEquals((byte) (8 | 8 << 4), b[6]);
    }

    @Test
    void q4_0PositiveExtremeFlipsTheScale() {
        // max = +4: d = -0.5 (half 0xB800), id = -2: 4 -> 0, -4 -> 16.5 -> 15; on a tie in
        // magnitude the first value wins (amax < |v| is strict): {2, -2} gives max 2, d = -0.25.
        float[] x = new float[32];
        x[0] = 4f;
        x[1] = -4f;
        byte[] b = q4(x);
        assertEquals(0xB800, half(b, 0));
        assertEquals((byte) (0 | 8 << 4), b[2]);
        assertEquals((byte) (15 | 8 << 4), b[3]);

        float[] tie = new float[32];
        tie[0] = 2f;
        tie[1] = -2f;
        assertEquals(Float.floatToFloat16(-0.25f) & 0xFFFF, half(q4(tie), 0));
    }

    @Test
    void roundTripsWithinAStep() {
        Random rnd = new Random(3);
        float[] x = new float[256];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
            MemorySegment seg = MemorySegment.ofArray(new byte[(int) type.byteSize(x.length)]);
            GgmlQuants.encode(type, x, 0, x.length, seg, 0);
            float[] y = new float[x.length];
            GgmlQuants.decode(type, seg, 0, y, 0, x.length);
            for (int blk = 0; blk < x.length / 32; blk++) {
                float amax = 0;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(x[32 * blk + j]));
                }
                float step = type == GgmlType.Q8_0 ? amax / 127 : amax / 8;
                // Half a step; Q4_0 clamps the side opposite the extreme at +7, a step below +8.
                float bound = (type == GgmlType.Q8_0 ? 0.5f : 1f) * step;
                for (int j = 0; j < 32; j++) {
                    int i = 32 * blk + j;
                    // Plus the half-precision rounding of the scale (2^-11 relative).
                    assertTrue(Math.abs(x[i] - y[i]) <= bound + amax * 1e-3f, type + " element " + i + ": " + x[i] + " -> " + y[i]);
                }
            }
        }
    }

    @Test
    void halfAndBfloat16Rounding() {
        assertEquals(0x3C00, GgmlQuants.toF16(1f) & 0xFFFF);
        // bf16 keeps 7 mantissa bits, ties to even: 1 + 2^-8 -> 1.0; 1 + 3*2^-8 -> 1 + 2^-6.
        assertEquals(0x3F80, GgmlQuants.toBF16(1f + 0x1p-8f) & 0xFFFF);
        assertEquals(0x3F82, GgmlQuants.toBF16(1f + 3 * 0x1p-8f) & 0xFFFF);
        assertEquals(0x3F81, GgmlQuants.toBF16(1f + 0x1p-7f + 0x1p-10f) & 0xFFFF);
        assertTrue(Float.isNaN(Float.intBitsToFloat(GgmlQuants.toBF16(Float.NaN) << 16)));
    }

    @Test
    void refusesPartialBlocks() {
        MemorySegment seg = MemorySegment.ofArray(new byte[64]);
        assertThrows(IllegalArgumentException.class, () -> GgmlQuants.quantizeQ8_0(new float[33], 0, 33, seg, 0));
        assertThrows(IllegalArgumentException.class, () -> GgmlQuants.encode(GgmlType.Q4_K, new float[256], 0, 256, seg, 0));
    }
}
