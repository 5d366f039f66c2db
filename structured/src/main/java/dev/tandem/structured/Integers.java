package dev.tandem.structured;

/** Which digits may extend an integer so that it can still end inside [minimum, maximum]. */
final class Integers {

    static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    private Integers() {
    }

    static int digits(long v) {
        int d = 1;
        while (d < 18 && v >= POW10[d]) {
            d++;
        }
        return d;
    }

    /** Length of the shortest integer text in [min, max]. */
    static int shortest(long min, long max) {
        if (min <= 0 && max >= 0) {
            return 1;
        }
        return min > 0 ? digits(min) : 1 + digits(-max);
    }

    /**
     * Whether a magnitude {@code value} already written with {@code digits} digits ({@code negative} for a '-'
     * sign) extended by exactly {@code more} digits can land in [min, max].
     */
    static boolean reachable(boolean negative, long value, int digits, int more, long min, long max) {
        if (digits + more > Node.MAX_INTEGER_DIGITS + 3 || value == 0 && more > 0 && digits > 0) {
            return false;
        }
        long lo = value * POW10[more];
        long hi = lo + POW10[more] - 1;
        if (negative) {
            return -hi <= max && -lo >= min;
        }
        return lo <= max && hi >= min;
    }

    /** Fewest more digits that make the written prefix an integer in range, or -1. */
    static int fewestMore(boolean negative, long value, int digits, long min, long max) {
        for (int more = digits == 0 ? 1 : 0; digits + more <= 18; more++) {
            if (more == 0) {
                long v = negative ? -value : value;
                if (v >= min && v <= max && !(negative && value == 0)) {
                    return 0;
                }
                continue;
            }
            if (reachable(negative, value, digits, more, min, max)) {
                return more;
            }
        }
        return -1;
    }
}
