package dev.tandem.frontend.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes UTF-8 that arrives in arbitrary pieces, e.g. token by token where a token may carry part
 * of a character. Returns only whole characters and holds back a trailing incomplete sequence until
 * its remaining bytes arrive. Bytes that can never form a character become U+FFFD right away. Not
 * thread-safe: one per stream.
 */
public final class Utf8StreamDecoder {

    private static final byte[] NONE = new byte[0];

    private byte[] pending = NONE;

    /** The text completed by these bytes; "" while a character is still incomplete. */
    public String push(byte[] bytes) {
        byte[] buffer = pending.length == 0 ? bytes : concat(pending, bytes);
        int complete = buffer.length - incompleteTailLength(buffer);
        pending = complete == buffer.length ? NONE : Arrays.copyOfRange(buffer, complete, buffer.length);
        return new String(buffer, 0, complete, StandardCharsets.UTF_8);
    }

    /** What is left at the end of the stream; an incomplete character becomes U+FFFD. */
    public String flush() {
        String rest = new String(pending, StandardCharsets.UTF_8);
        pending = NONE;
        return rest;
    }

    /**
     * Length of the suffix that is the valid beginning of a multi-byte character still missing
     * bytes, 0 if none. Checks the second byte's narrower ranges too, so that a sequence that can
     * never become valid is not held back.
     */
    static int incompleteTailLength(byte[] bytes) {
        for (int back = 1; back <= Math.min(3, bytes.length); back++) {
            int lead = bytes[bytes.length - back] & 0xFF;
            if (isContinuation(lead)) {
                continue;
            }
            int needed = sequenceLength(lead);
            if (needed <= back) {
                return 0;
            }
            return back == 1 || secondByteFits(lead, bytes[bytes.length - back + 1] & 0xFF) ? back : 0;
        }
        return 0;
    }

    private static boolean isContinuation(int b) {
        return (b & 0xC0) == 0x80;
    }

    /** Bytes in the sequence this lead byte starts; 1 for ASCII and for bytes that cannot lead. */
    private static int sequenceLength(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) {
            return 2;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return 3;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return 4;
        }
        return 1;
    }

    /** The second-byte limits that rule out overlong forms, surrogates and code points above U+10FFFF. */
    private static boolean secondByteFits(int lead, int second) {
        return switch (lead) {
            case 0xE0 -> second >= 0xA0 && second <= 0xBF;
            case 0xED -> second >= 0x80 && second <= 0x9F;
            case 0xF0 -> second >= 0x90 && second <= 0xBF;
            case 0xF4 -> second >= 0x80 && second <= 0x8F;
            default -> isContinuation(second);
        };
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] joined = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }
}
