package dev.tandem.chattemplate;

import java.util.ArrayList;
import java.util.List;

/** Python's arithmetic operators on template values; any undefined operand raises UndefinedError. */
final class Operators {

    private Operators() {
    }

    static Object binary(String op, Object left, Object right) {
        if (op.equals("+") && (left instanceof Markup || right instanceof Markup)) {
            return add(left, right);
        }
        Object a = Markup.plain(left);
        Object b = Markup.plain(right);
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        return switch (op) {
            case "+" -> add(a, b);
            case "-" -> numeric(op, a, b);
            case "*" -> multiply(a, b);
            case "/" -> {
                requireNumbers(op, a, b);
                double d = Values.toDouble(b);
                if (d == 0) {
                    throw TemplateException.type("division by zero");
                }
                yield Values.toDouble(a) / d;
            }
            case "//", "%" -> {
                requireNumbers(op, a, b);
                if (Values.isInt(a) && Values.isInt(b)) {
                    long y = Values.toLong(b);
                    if (y == 0) {
                        throw TemplateException.type("integer division or modulo by zero");
                    }
                    long x = Values.toLong(a);
                    yield op.equals("//") ? Math.floorDiv(x, y) : Math.floorMod(x, y);
                }
                double x = Values.toDouble(a);
                double y = Values.toDouble(b);
                if (y == 0) {
                    throw TemplateException.type("float division by zero");
                }
                double q = Math.floor(x / y);
                yield op.equals("//") ? q : x - y * q;
            }
            case "**" -> {
                requireNumbers(op, a, b);
                if (Values.isInt(a) && Values.isInt(b) && Values.toLong(b) >= 0) {
                    long result = 1;
                    long base = Values.toLong(a);
                    for (long i = Values.toLong(b); i > 0; i--) {
                        result = Math.multiplyExact(result, base);
                    }
                    yield result;
                }
                yield Math.pow(Values.toDouble(a), Values.toDouble(b));
            }
            default -> throw new IllegalArgumentException(op);
        };
    }

    private static Object add(Object a, Object b) {
        if (a instanceof Markup m && (b instanceof String || b instanceof Markup)) {
            return new Markup(m.text() + (b instanceof Markup n ? n.text() : Markup.escape((String) b)));
        }
        if (b instanceof Markup m && a instanceof String s) {
            return new Markup(Markup.escape(s) + m.text());
        }
        if (a instanceof String x) {
            if (b instanceof String y) {
                return x.concat(y);
            }
            throw TemplateException.type("can only concatenate str (not \"" + Values.typeName(b) + "\") to str");
        }
        if (a instanceof List<?> x && b instanceof List<?> y && (a instanceof PyTuple) == (b instanceof PyTuple)) {
            List<Object> out = new ArrayList<>(x.size() + y.size());
            out.addAll(x);
            out.addAll(y);
            return a instanceof PyTuple ? PyTuple.of(out) : out;
        }
        if (a instanceof List<?> && !(a instanceof PyTuple)) {
            throw TemplateException.type("can only concatenate list (not \"" + Values.typeName(b) + "\") to list");
        }
        return numeric("+", a, b);
    }

    private static Object multiply(Object a, Object b) {
        if ((a instanceof String || a instanceof List) && Values.isInt(b)) {
            return repeat(a, Values.toLong(b));
        }
        if ((b instanceof String || b instanceof List) && Values.isInt(a)) {
            return repeat(b, Values.toLong(a));
        }
        return numeric("*", a, b);
    }

    private static Object repeat(Object seq, long times) {
        if (seq instanceof String s) {
            return times <= 0 ? "" : s.repeat(Math.toIntExact(times));
        }
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < times; i++) {
            out.addAll((List<?>) seq);
        }
        return seq instanceof PyTuple ? PyTuple.of(out) : out;
    }

    private static Object numeric(String op, Object a, Object b) {
        requireNumbers(op, a, b);
        if (Values.isInt(a) && Values.isInt(b)) {
            long x = Values.toLong(a);
            long y = Values.toLong(b);
            return switch (op) {
                case "+" -> Math.addExact(x, y);
                case "-" -> Math.subtractExact(x, y);
                default -> Math.multiplyExact(x, y);
            };
        }
        double x = Values.toDouble(a);
        double y = Values.toDouble(b);
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            default -> x * y;
        };
    }

    private static void requireNumbers(String op, Object a, Object b) {
        if (!Values.isNumber(a) || !Values.isNumber(b)) {
            throw TemplateException.type("unsupported operand type(s) for " + op + ": '" + Values.typeName(a)
                    + "' and '" + Values.typeName(b) + "'");
        }
    }

    static Object negate(Object a) {
        return switch (a) {
            case Undefined u -> throw u.error();
            case Double d -> (Object) (-d);
            case Long l -> (Object) Math.negateExact(l);
            case Boolean b -> (Object) (b ? -1L : 0L);
            case null, default -> throw TemplateException.type("bad operand type for unary -: '" + Values.typeName(a) + "'");
        };
    }

    static Object plus(Object a) {
        return switch (a) {
            case Undefined u -> throw u.error();
            case Double d -> (Object) d;
            case Long l -> (Object) l;
            case Boolean b -> (Object) (b ? 1L : 0L);
            case null, default -> throw TemplateException.type("bad operand type for unary +: '" + Values.typeName(a) + "'");
        };
    }
}
