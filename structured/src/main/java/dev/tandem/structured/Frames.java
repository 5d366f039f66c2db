package dev.tandem.structured;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The automaton's frames: one per kind of JSON value being written, plus the value not yet begun. */
final class Frames {

    /** The key of a free-form object's member: any string. */
    static final Node ANY_KEY = new Node(Node.Kind.STRING);

    static {
        ANY_KEY.finish();
    }

    private Frames() {
    }

    /** Begins a value of {@code node} with its first byte {@code b}, on top of {@code below}. */
    static State start(Node node, int b, State below) {
        return switch (node.kind) {
            case OBJECT -> b == '{' ? new State(new ObjectFrame(node, ObjectFrame.OPEN, 0, 0, -1, ""), below) : null;
            case ARRAY -> b == '[' ? new State(new ArrayFrame(node, ArrayFrame.OPEN, 0, 0), below) : null;
            case STRING -> b == '"' ? new State(new StringFrame(node, 0, 0, 0, 0, 0), below) : null;
            case INTEGER -> new State(new IntegerFrame(node, false, false, 0, 0), below).step(b);
            case NUMBER -> new State(new NumberFrame(node, NumberFrame.START, 0, false), below).step(b);
            case LITERALS -> new State(new LiteralFrame(node, ""), below).step(b);
            case UNION -> {
                List<State> alive = new ArrayList<>();
                Node only = null;
                for (Node alternative : node.alternatives) {
                    State s = start(alternative, b, State.EMPTY);
                    if (s != null && !alive.contains(s)) {
                        alive.add(s);
                        only = alternative;
                    }
                }
                // One alternative begins with b (the usual case): write it directly on the stack.
                yield alive.isEmpty() ? null : alive.size() == 1 ? start(only, b, below) : ForkFrame.of(alive, below);
            }
        };
    }

    /**
     * Alternatives of an {@code anyOf} that the bytes so far do not yet tell apart (objects that differ in a
     * {@code const} property, say): each is followed on its own stack, as in a nondeterministic automaton, until
     * one is left, which then takes the fork's place on the main stack.
     *
     * @param alternatives each alternative's own stack, with nothing below it; complete ones are {@link State#EMPTY}
     */
    record ForkFrame(List<State> alternatives) implements Frame {

        static State of(List<State> alternatives, State below) {
            return alternatives.size() == 1 ? graft(alternatives.getFirst(), below)
                    : new State(new ForkFrame(List.copyOf(alternatives)), below);
        }

        /** Puts a lone alternative's stack on top of {@code below}, as if it had been written there from the start. */
        private static State graft(State alternative, State below) {
            if (alternative.isComplete()) {
                return below.top == null ? State.EMPTY : new State(below.top.childDone(), below.rest);
            }
            return alternative.rest.isComplete() ? new State(alternative.top, below)
                    : new State(alternative.top, graft(alternative.rest, below));
        }

        @Override
        public State step(State self, int b) {
            List<State> next = new ArrayList<>(alternatives.size());
            boolean mayEnd = false;
            for (State alternative : alternatives) {
                mayEnd |= alternative.canEnd();
                State s = alternative.step(b);
                if (s != null && !next.contains(s)) {
                    next.add(s);
                }
            }
            // A byte that carries an alternative on is read as such; JSON never lets the same byte also follow a value.
            if (!next.isEmpty()) {
                return of(next, self.rest);
            }
            return mayEnd ? Frame.endThenStep(self, b) : null;
        }

        @Override
        public int closeCost() {
            int cost = Integer.MAX_VALUE;
            for (State alternative : alternatives) {
                cost = Math.min(cost, alternative.closeCost());
            }
            return cost;
        }

        @Override
        public boolean accepting() {
            for (State alternative : alternatives) {
                if (alternative.canEnd()) {
                    return true;
                }
            }
            return false;
        }
    }

    private static State replace(State self, Frame frame) {
        return frame.equals(self.top) ? self : new State(frame, self.rest);
    }

    /** A value not begun yet, after {@code whitespace} bytes of whitespace. */
    record ValueFrame(Node node, int whitespace) implements Frame {
        @Override
        public State step(State self, int b) {
            if (Frame.whitespace(b)) {
                return whitespace < MAX_WHITESPACE ? new State(new ValueFrame(node, whitespace + 1), self.rest) : null;
            }
            return start(node, b, self.rest);
        }

        @Override
        public int closeCost() {
            return node.minLength;
        }
    }

    /**
     * An object. Declared properties come in the schema's order, each optional one possibly skipped;
     * {@code next} is the first property that may still come. An object without declared properties takes
     * free-form members whose values follow {@code additionalProperties}.
     */
    record ObjectFrame(Node node, int phase, int whitespace, int next, int current, String keyPrefix) implements Frame {
        static final int OPEN = 0;
        static final int KEY = 1;
        static final int AFTER_KEY = 2;
        static final int IN_VALUE = 3;
        static final int AFTER_VALUE = 4;
        static final int BEFORE_KEY = 5;
        static final int IN_FREE_KEY = 6;

        @Override
        public State step(State self, int b) {
            switch (phase) {
                case OPEN, BEFORE_KEY, AFTER_KEY, AFTER_VALUE -> {
                    if (Frame.whitespace(b)) {
                        return whitespace < MAX_WHITESPACE
                                ? new State(new ObjectFrame(node, phase, whitespace + 1, next, current, keyPrefix), self.rest)
                                : null;
                    }
                }
                default -> {
                }
            }
            return switch (phase) {
                case OPEN -> b == '}' ? (node.canClose(next) ? Frame.finish(self) : null)
                        : b == '"' && node.hasMore(next) ? beginKey(self) : null;
                case BEFORE_KEY -> b == '"' ? beginKey(self) : null;
                case KEY -> key(self, b);
                case AFTER_KEY -> b == ':'
                        ? new State(new ValueFrame(node.freeForm() ? node.additional : node.values[current], 0),
                                new State(new ObjectFrame(node, IN_VALUE, 0, node.freeForm() ? 0 : current + 1, -1, ""),
                                        self.rest))
                        : null;
                case AFTER_VALUE -> b == ',' ? (node.hasMore(next)
                        ? new State(new ObjectFrame(node, BEFORE_KEY, 0, next, -1, ""), self.rest) : null)
                        : b == '}' && node.canClose(next) ? Frame.finish(self) : null;
                default -> null;
            };
        }

        private State beginKey(State self) {
            if (node.freeForm()) {
                return new State(new StringFrame(ANY_KEY, 0, 0, 0, 0, 0),
                        new State(new ObjectFrame(node, IN_FREE_KEY, 0, 0, -1, ""), self.rest));
            }
            return new State(new ObjectFrame(node, KEY, 0, next, -1, "\""), self.rest);
        }

        private State key(State self, int b) {
            String prefix = keyPrefix + (char) b;
            int matches = 0;
            int complete = -1;
            for (int j = next; j < node.propertyCount(); j++) {
                if (node.allowed(next, j) && startsWith(node.keys[j], prefix)) {
                    matches++;
                    if (node.keys[j].length == prefix.length()) {
                        complete = j;
                    }
                }
            }
            if (matches == 0) {
                return null;
            }
            if (complete >= 0) {
                return new State(new ObjectFrame(node, AFTER_KEY, 0, next, complete, ""), self.rest);
            }
            return new State(new ObjectFrame(node, KEY, 0, next, -1, prefix), self.rest);
        }

        @Override
        public Frame childDone() {
            return switch (phase) {
                case IN_VALUE -> new ObjectFrame(node, AFTER_VALUE, 0, next, -1, "");
                case IN_FREE_KEY -> new ObjectFrame(node, AFTER_KEY, 0, 0, -1, "");
                default -> throw new IllegalStateException("object frame in phase " + phase + " has no child");
            };
        }

        @Override
        public int closeCost() {
            if (node.freeForm()) {
                int member = 1 + node.additional.minLength;
                return switch (phase) {
                    case OPEN, AFTER_VALUE, IN_VALUE -> 1;
                    case BEFORE_KEY -> 2 + member + 1;
                    case IN_FREE_KEY, AFTER_KEY -> member + 1;
                    default -> 1;
                };
            }
            return switch (phase) {
                case OPEN -> node.canClose(next) ? 1 : node.mustCost(next);
                case BEFORE_KEY -> node.mustCost(next);
                case KEY -> {
                    int best = Integer.MAX_VALUE;
                    for (int j = next; j < node.propertyCount(); j++) {
                        if (node.allowed(next, j) && startsWith(node.keys[j], keyPrefix)) {
                            best = Math.min(best, node.keys[j].length - keyPrefix.length() + 1 + node.values[j].minLength
                                    + node.requiredAfter[j + 1]);
                        }
                    }
                    yield best + 1;
                }
                case AFTER_KEY -> 1 + node.values[current].minLength + node.requiredAfter[current + 1] + 1;
                case IN_VALUE, AFTER_VALUE -> node.requiredAfter[next] + 1;
                default -> 1;
            };
        }

        private static boolean startsWith(byte[] key, String prefix) {
            if (prefix.length() > key.length) {
                return false;
            }
            for (int i = 0; i < prefix.length(); i++) {
                if ((key[i] & 0xFF) != prefix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** An array of {@code count} items so far. */
    record ArrayFrame(Node node, int phase, int whitespace, int count) implements Frame {
        static final int OPEN = 0;
        static final int IN_ITEM = 1;
        static final int AFTER_ITEM = 2;

        @Override
        public State step(State self, int b) {
            if (phase != IN_ITEM && Frame.whitespace(b)) {
                return whitespace < MAX_WHITESPACE ? new State(new ArrayFrame(node, phase, whitespace + 1, count), self.rest)
                        : null;
            }
            if (phase == OPEN) {
                if (b == ']') {
                    return node.minItems == 0 ? Frame.finish(self) : null;
                }
                return node.maxItems > 0 ? start(node.items, b, new State(new ArrayFrame(node, IN_ITEM, 0, 0), self.rest))
                        : null;
            }
            if (phase == AFTER_ITEM) {
                if (b == ']') {
                    return count >= node.minItems ? Frame.finish(self) : null;
                }
                if (b == ',' && count < node.maxItems) {
                    return new State(new ValueFrame(node.items, 0), new State(new ArrayFrame(node, IN_ITEM, 0, count), self.rest));
                }
            }
            return null;
        }

        @Override
        public Frame childDone() {
            return new ArrayFrame(node, AFTER_ITEM, 0, count + 1);
        }

        @Override
        public int closeCost() {
            int have = phase == IN_ITEM ? count + 1 : count;
            if (phase == OPEN) {
                return node.minItems == 0 ? 1 : node.minItems * node.items.minLength + node.minItems - 1 + 1;
            }
            return Math.max(0, node.minItems - have) * (1 + node.items.minLength) + 1;
        }
    }

    /**
     * A string after its opening quote: {@code chars} characters so far (saturating where no bound needs more),
     * {@code pending} UTF-8 continuation bytes still due with the next in [lo, hi], {@code escape} 1 after a
     * backslash and 2..5 for the hex digits of a {@code \\u} escape.
     */
    record StringFrame(Node node, int chars, int pending, int escape, int lo, int hi) implements Frame {
        @Override
        public State step(State self, int b) {
            if (escape == 1) {
                if (b == 'u') {
                    return replace(self, new StringFrame(node, chars, 0, 2, 0, 0));
                }
                return "\"\\/bfnrt".indexOf(b) >= 0 ? replace(self, new StringFrame(node, chars, 0, 0, 0, 0)) : null;
            }
            if (escape >= 2) {
                boolean hex = b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F';
                // No surrogate escapes (\\uD800-\\uDFFF): a lone one is not a character.
                if (!hex || escape == 2 && (b == 'd' || b == 'D')) {
                    return null;
                }
                return replace(self, new StringFrame(node, chars, 0, escape == 5 ? 0 : escape + 1, 0, 0));
            }
            if (pending > 0) {
                if (b < lo || b > hi) {
                    return null;
                }
                return replace(self, new StringFrame(node, chars, pending - 1, 0, 0x80, 0xBF));
            }
            if (b == '"') {
                return chars >= node.minChars ? Frame.finish(self) : null;
            }
            if (b < 0x20 || chars >= node.maxChars) {
                return null;
            }
            int more;
            int nextLo = 0x80;
            int nextHi = 0xBF;
            if (b < 0x80) {
                more = b == '\\' ? -1 : 0;
            } else if (b >= 0xC2 && b <= 0xDF) {
                more = 1;
            } else if (b == 0xE0) {
                more = 2;
                nextLo = 0xA0;
            } else if (b >= 0xE1 && b <= 0xEF) {
                more = 2;
                if (b == 0xED) {
                    nextHi = 0x9F;
                }
            } else if (b == 0xF0) {
                more = 3;
                nextLo = 0x90;
            } else if (b >= 0xF1 && b <= 0xF4) {
                more = 3;
                if (b == 0xF4) {
                    nextHi = 0x8F;
                }
            } else {
                return null;
            }
            int counted = counted(chars + 1);
            if (more < 0) {
                return replace(self, new StringFrame(node, counted, 0, 1, 0, 0));
            }
            return replace(self, new StringFrame(node, counted, more, 0, more == 0 ? 0 : nextLo, more == 0 ? 0 : nextHi));
        }

        /** Characters worth remembering: past the bounds, more change nothing. */
        private int counted(int n) {
            int cap = node.maxChars != Integer.MAX_VALUE ? node.maxChars : node.minChars;
            return Math.min(n, cap);
        }

        @Override
        public int closeCost() {
            int escapeLeft = escape == 1 ? 1 : escape >= 2 ? 6 - escape : 0;
            return pending + escapeLeft + Math.max(0, node.minChars - chars) + 1;
        }
    }

    /** An integer: optional '-', then digits, kept within the schema's minimum and maximum. */
    record IntegerFrame(Node node, boolean negative, boolean signed, long value, int digits) implements Frame {
        @Override
        public State step(State self, int b) {
            if (digits == 0 && !signed && b == '-') {
                return node.minimum < 0 ? new State(new IntegerFrame(node, true, true, 0, 0), self.rest) : null;
            }
            if (b >= '0' && b <= '9') {
                int d = b - '0';
                boolean leadingZero = digits > 0 && value == 0;
                if (leadingZero || negative && digits == 0 && d == 0 || digits >= 18) {
                    return accepting() ? Frame.endThenStep(self, b) : null;
                }
                long v = value * 10 + d;
                if (Integers.fewestMore(negative, v, digits + 1, node.minimum, node.maximum) >= 0) {
                    return new State(new IntegerFrame(node, negative, signed, v, digits + 1), self.rest);
                }
                return accepting() ? Frame.endThenStep(self, b) : null;
            }
            return accepting() ? Frame.endThenStep(self, b) : null;
        }

        @Override
        public boolean accepting() {
            if (digits == 0) {
                return false;
            }
            long v = negative ? -value : value;
            return v >= node.minimum && v <= node.maximum;
        }

        @Override
        public int closeCost() {
            if (digits == 0 && !signed) {
                return node.minLength;
            }
            int more = Integers.fewestMore(negative, value, digits, node.minimum, node.maximum);
            return more < 0 ? 1 << 20 : more;
        }
    }

    /** A number: optional '-', integer part, optional fraction; no exponent. */
    record NumberFrame(Node node, int phase, int count, boolean zero) implements Frame {
        static final int START = 0;
        static final int SIGN = 1;
        static final int INTEGER = 2;
        static final int POINT = 3;
        static final int FRACTION = 4;

        @Override
        public State step(State self, int b) {
            boolean digit = b >= '0' && b <= '9';
            switch (phase) {
                case START -> {
                    if (b == '-') {
                        return new State(new NumberFrame(node, SIGN, 0, false), self.rest);
                    }
                    return digit ? new State(new NumberFrame(node, INTEGER, 1, b == '0'), self.rest) : null;
                }
                case SIGN -> {
                    return digit ? new State(new NumberFrame(node, INTEGER, 1, b == '0'), self.rest) : null;
                }
                case INTEGER -> {
                    if (digit && !zero && count < Node.MAX_NUMBER_DIGITS) {
                        return new State(new NumberFrame(node, INTEGER, count + 1, false), self.rest);
                    }
                    if (b == '.') {
                        return new State(new NumberFrame(node, POINT, 0, false), self.rest);
                    }
                    return Frame.endThenStep(self, b);
                }
                case POINT -> {
                    return digit ? new State(new NumberFrame(node, FRACTION, 1, false), self.rest) : null;
                }
                default -> {
                    if (digit && count < Node.MAX_NUMBER_DIGITS) {
                        return new State(new NumberFrame(node, FRACTION, count + 1, false), self.rest);
                    }
                    return Frame.endThenStep(self, b);
                }
            }
        }

        @Override
        public boolean accepting() {
            return phase == INTEGER || phase == FRACTION;
        }

        @Override
        public int closeCost() {
            return accepting() ? 0 : 1;
        }
    }

    /** One of a fixed set of JSON texts (enum, const, true/false, null), {@code prefix} written so far. */
    record LiteralFrame(Node node, String prefix) implements Frame {
        @Override
        public State step(State self, int b) {
            String next = prefix + (char) b;
            boolean any = false;
            boolean longer = false;
            boolean exact = false;
            for (byte[] literal : node.literals) {
                if (startsWith(literal, next)) {
                    any = true;
                    if (literal.length == next.length()) {
                        exact = true;
                    } else {
                        longer = true;
                    }
                }
            }
            if (!any) {
                return accepting() ? Frame.endThenStep(self, b) : null;
            }
            if (exact && !longer) {
                return Frame.finish(self);
            }
            return new State(new LiteralFrame(node, next), self.rest);
        }

        @Override
        public boolean accepting() {
            for (byte[] literal : node.literals) {
                if (literal.length == prefix.length() && startsWith(literal, prefix)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public int closeCost() {
            int best = 1 << 20;
            for (byte[] literal : node.literals) {
                if (startsWith(literal, prefix)) {
                    best = Math.min(best, literal.length - prefix.length());
                }
            }
            return best;
        }

        private static boolean startsWith(byte[] literal, String prefix) {
            if (prefix.length() > literal.length) {
                return false;
            }
            for (int i = 0; i < prefix.length(); i++) {
                if ((literal[i] & 0xFF) != prefix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LiteralFrame f && f.node == node && f.prefix.equals(prefix);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(node) * 31 + prefix.hashCode();
        }
    }

    static String describe(byte[][] literals) {
        return Arrays.toString(Arrays.stream(literals).map(l -> new String(l, java.nio.charset.StandardCharsets.UTF_8)).toArray());
    }
}
