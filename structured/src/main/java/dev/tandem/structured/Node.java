package dev.tandem.structured;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One compiled JSON schema: the shape a value must take, with what the automaton needs precomputed (the shortest
 * text that completes it, for closing the JSON within the token budget). Immutable; compared by identity.
 */
final class Node {

    enum Kind { OBJECT, ARRAY, STRING, INTEGER, NUMBER, LITERALS, UNION }

    /** Longest integer the automaton writes, in digits (an unbounded integer stays within a long). */
    static final int MAX_INTEGER_DIGITS = 15;
    /** Digits of a number's integer part and of its fraction. */
    static final int MAX_NUMBER_DIGITS = 15;

    final Kind kind;
    /** Shortest JSON text of a value. */
    int minLength;

    // OBJECT: declared properties, in order; their keys as JSON text with the quotes.
    byte[][] keys = new byte[0][];
    Node[] values = new Node[0];
    boolean[] required = new boolean[0];
    /** OBJECT without declared properties: the schema of its free-form members' values; null = none allowed. */
    Node additional;
    /** Index of the first required property at or after i (n when none). */
    int[] firstRequired;
    /** Bytes that the required properties from i on need, each as {@code ,"key":value}. */
    int[] requiredAfter;
    /** Bytes of the cheapest property that may come next at i (key, colon, value) plus the required ones after it. */
    int[] nextCost;

    // ARRAY
    Node items;
    int minItems;
    int maxItems = Integer.MAX_VALUE;

    // STRING
    int minChars;
    int maxChars = Integer.MAX_VALUE;

    // INTEGER
    long minimum;
    long maximum;

    // LITERALS: the JSON text of each allowed value.
    byte[][] literals;

    // UNION: the alternatives, followed side by side until the bytes tell them apart.
    Node[] alternatives;

    Node(Kind kind) {
        this.kind = kind;
    }

    int propertyCount() {
        return keys.length;
    }

    boolean freeForm() {
        return keys.length == 0;
    }

    /** Whether the object may close before property i. */
    boolean canClose(int i) {
        return freeForm() || firstRequired[i] == keys.length;
    }

    /** Whether another property may come at i. */
    boolean hasMore(int i) {
        return freeForm() ? additional != null : i < keys.length;
    }

    /** Whether declared property j may come next when the object is at i. */
    boolean allowed(int i, int j) {
        return j >= i && j <= firstRequired[i] && j < keys.length;
    }

    /** Bytes to write a property next at i and close: key, colon, value, required ones, '}'. */
    int mustCost(int i) {
        if (freeForm()) {
            return 2 + 1 + additional.minLength + 1;
        }
        return nextCost[i] + 1;
    }

    /** Precomputes the object's tables and every node's minimum length; children are done first. */
    void finish() {
        switch (kind) {
            case OBJECT -> {
                int n = keys.length;
                firstRequired = new int[n + 1];
                requiredAfter = new int[n + 1];
                nextCost = new int[n + 1];
                firstRequired[n] = n;
                for (int i = n - 1; i >= 0; i--) {
                    firstRequired[i] = required[i] ? i : firstRequired[i + 1];
                    requiredAfter[i] = requiredAfter[i + 1] + (required[i] ? 2 + keys[i].length + values[i].minLength : 0);
                }
                for (int i = 0; i <= n; i++) {
                    int best = Integer.MAX_VALUE;
                    for (int j = i; j < n && j <= firstRequired[i]; j++) {
                        best = Math.min(best, keys[j].length + 1 + values[j].minLength + requiredAfter[j + 1]);
                    }
                    nextCost[i] = best == Integer.MAX_VALUE ? 1 << 20 : best;
                }
                minLength = 2 + (canClose(0) ? 0 : nextCost[0]);
            }
            case ARRAY -> minLength = 2 + (minItems == 0 ? 0 : minItems * items.minLength + minItems - 1);
            case STRING -> minLength = 2 + minChars;
            case INTEGER -> minLength = Integers.shortest(minimum, maximum);
            case NUMBER -> minLength = 1;
            case LITERALS -> minLength = Arrays.stream(literals).mapToInt(l -> l.length).min().orElse(1 << 20);
            case UNION -> minLength = Arrays.stream(alternatives).mapToInt(a -> a.minLength).min().orElse(1 << 20);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
