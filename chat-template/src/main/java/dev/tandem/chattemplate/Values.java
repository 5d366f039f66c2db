package dev.tandem.chattemplate;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python semantics of template values. Values are {@code null} (None), {@link Boolean}, {@link Long} (int),
 * {@link Double} (float), {@link String}, {@link List} (list; {@link PyTuple} for tuples), {@link Map} (dict, in
 * insertion order), {@link Undefined}, {@link Namespace}, {@link LoopContext} and {@link PyCallable}.
 */
final class Values {

    private Values() {
    }

    /** Java values (from a caller or from Jackson) as template values: ints as Long, floats as Double. */
    static Object fromJava(Object value) {
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            case Double d -> d;
            case Float f -> (double) f;
            case Number n -> n.doubleValue();
            case CharSequence s -> s.toString();
            case Map<?, ?> map -> {
                Map<Object, Object> out = new LinkedHashMap<>(Math.max(4, map.size() * 2));
                map.forEach((k, v) -> out.put(fromJava(k), fromJava(v)));
                yield out;
            }
            case Collection<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                for (Object item : list) {
                    out.add(fromJava(item));
                }
                yield out;
            }
            case Object[] array -> fromJava(List.of(array));
            default -> value;
        };
    }

    // ---- type names, truth, str, repr ----

    static String typeName(Object input) {
        Object value = Markup.plain(input);
        return switch (value) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case PyTuple t -> "tuple";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case LoopContext l -> "LoopContext";
            default -> "function";
        };
    }

    static boolean truthy(Object input) {
        Object value = Markup.plain(input);
        return switch (value) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    /** Python's {@code str(value)}, which {@code {{ }}} prints; undefined prints as nothing. */
    static String str(Object input) {
        Object value = Markup.plain(input);
        return switch (value) {
            case String s -> s;
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case Double d -> floatRepr(d);
            case Undefined u -> "";
            default -> repr(value);
        };
    }

    /** Python's {@code repr(value)}: strings quoted, containers with their items' reprs. */
    static String repr(Object input) {
        Object value = Markup.plain(input);
        return switch (value) {
            case String s -> stringRepr(s);
            case null -> "None";
            case PyTuple t -> {
                StringBuilder out = new StringBuilder("(");
                for (int i = 0; i < t.size(); i++) {
                    out.append(i > 0 ? ", " : "").append(repr(t.get(i)));
                }
                yield out.append(t.size() == 1 ? ",)" : ")").toString();
            }
            case List<?> l -> {
                StringBuilder out = new StringBuilder("[");
                for (int i = 0; i < l.size(); i++) {
                    out.append(i > 0 ? ", " : "").append(repr(l.get(i)));
                }
                yield out.append(']').toString();
            }
            case Map<?, ?> m -> {
                StringBuilder out = new StringBuilder("{");
                String sep = "";
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.append(sep).append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                    sep = ", ";
                }
                yield out.append('}').toString();
            }
            case Undefined u -> "Undefined";
            case Namespace n -> n.toString();
            case LoopContext l -> "<LoopContext>";
            case PyCallable c -> "<function>";
            default -> str(value);
        };
    }

    static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (cp == quote) {
                        out.append('\\').append((char) cp);
                    } else if (isPrintable(cp)) {
                        out.appendCodePoint(cp);
                    } else if (cp < 0x100) {
                        out.append(String.format("\\x%02x", cp));
                    } else if (cp < 0x10000) {
                        out.append(String.format("\\u%04x", cp));
                    } else {
                        out.append(String.format("\\U%08x", cp));
                    }
                }
            }
        }
        return out.append(quote).toString();
    }

    /** Python's {@code str.isprintable} for one code point. */
    private static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Python's {@code repr(float)}: the shortest round-tripping digits, exponent outside 1e-4 .. 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int n = digits.length();
        int point = n - exact.scale();
        StringBuilder out = new StringBuilder(d < 0 ? "-" : "");
        if (point <= -4 || point > 16) {
            out.append(digits.charAt(0));
            if (n > 1) {
                out.append('.').append(digits, 1, n);
            }
            int exp = point - 1;
            out.append(exp < 0 ? "e-" : "e+");
            int a = Math.abs(exp);
            out.append(a < 10 ? "0" : "").append(a);
        } else if (point <= 0) {
            out.append("0.").append("0".repeat(-point)).append(digits);
        } else if (point >= n) {
            out.append(digits).append("0".repeat(point - n)).append(".0");
        } else {
            out.append(digits, 0, point).append('.').append(digits, point, n);
        }
        return out.toString();
    }

    // ---- numbers ----

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static boolean isInt(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long toLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v;
    }

    static double toDouble(Object v) {
        return switch (v) {
            case Boolean b -> b ? 1 : 0;
            case Long l -> l;
            case Double d -> d;
            case null, default -> throw TemplateException.type("must be real number, not " + typeName(v));
        };
    }

    // ---- equality and ordering ----

    /** Python's {@code ==}: 1 == 1.0 == True, lists and dicts by content, undefined equal only to undefined. */
    static boolean eq(Object left, Object right) {
        Object a = Markup.plain(left);
        Object b = Markup.plain(right);
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return toLong(a) == toLong(b);
            }
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof String s) {
            return s.equals(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if ((a instanceof PyTuple) != (b instanceof PyTuple) || x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Undefined && b instanceof Undefined) {
            return true;
        }
        return false;
    }

    /** Python's ordering ({@code <} is {@code compare < 0}); unorderable types raise TypeError. */
    static int compare(Object left, Object right, String op) {
        Object a = Markup.plain(left);
        Object b = Markup.plain(right);
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return Long.compare(toLong(a), toLong(b));
            }
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return compare(x.get(i), y.get(i), op);
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        throw TemplateException.type("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    // ---- containers ----

    /** What a {@code for} loop or a filter iterates: list items, dict keys, string characters; undefined is empty. */
    static List<?> iterate(Object input) {
        Object value = Markup.plain(input);
        return switch (value) {
            case List<?> l -> l;
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> {
                List<Object> chars = new ArrayList<>(s.length());
                s.codePoints().forEach(cp -> chars.add(Character.toString(cp)));
                yield chars;
            }
            case Undefined u -> List.of();
            case null, default -> throw TemplateException.type("'" + typeName(value) + "' object is not iterable");
        };
    }

    static long length(Object input) {
        Object value = Markup.plain(input);
        return switch (value) {
            case String s -> s.codePointCount(0, s.length());
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            case Undefined u -> 0;
            case null, default -> throw TemplateException.type("object of type '" + typeName(value) + "' has no len()");
        };
    }

    /** Python's {@code item in container}. */
    static boolean contains(Object in, Object element) {
        Object container = Markup.plain(in);
        Object item = Markup.plain(element);
        return switch (container) {
            case String s -> {
                if (!(item instanceof String sub)) {
                    if (item instanceof Undefined u) {
                        throw u.error();
                    }
                    throw TemplateException.type("'in <string>' requires string as left operand, not "
                            + typeName(item));
                }
                yield s.contains(sub);
            }
            case Map<?, ?> m -> m.containsKey(item) || (item instanceof Number && m.keySet().stream()
                    .anyMatch(k -> eq(k, item)));
            case List<?> l -> {
                for (Object x : l) {
                    if (eq(x, item)) {
                        yield true;
                    }
                }
                yield false;
            }
            case Undefined u -> false;
            case null, default -> throw TemplateException.type("argument of type '" + typeName(container)
                    + "' is not iterable");
        };
    }

    /** Python's indexing of a string or sequence, negative from the end; null when out of range. */
    static Object index(Object seq, long i) {
        if (seq instanceof List<?> l) {
            long k = i < 0 ? i + l.size() : i;
            return k >= 0 && k < l.size() ? l.get((int) k) : null;
        }
        String s = (String) seq;
        int count = s.codePointCount(0, s.length());
        long k = i < 0 ? i + count : i;
        if (k < 0 || k >= count) {
            return null;
        }
        int at = s.offsetByCodePoints(0, (int) k);
        return Character.toString(s.codePointAt(at));
    }

    /** Python's {@code seq[start:stop:step]} for strings and sequences. */
    static Object slice(Object sliced, Object start, Object stop, Object step) {
        Object seq = Markup.plain(sliced);
        long st = step == null ? 1 : toLong(step);
        if (st == 0) {
            throw TemplateException.type("slice step cannot be zero");
        }
        List<?> items;
        boolean string = seq instanceof String;
        if (seq instanceof String s) {
            items = iterate(s);
        } else if (seq instanceof List<?> l) {
            items = l;
        } else if (seq instanceof Undefined u) {
            throw u.error();
        } else {
            throw TemplateException.type("'" + typeName(seq) + "' object is not subscriptable");
        }
        long n = items.size();
        long lo;
        long hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(toLong(start), n, 0, n);
            hi = stop == null ? n : clamp(toLong(stop), n, 0, n);
        } else {
            lo = start == null ? n - 1 : clamp(toLong(start), n, -1, n - 1);
            hi = stop == null ? -1 : clamp(toLong(stop), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (long i = lo; st > 0 ? i < hi : i > hi; i += st) {
            out.add(items.get((int) i));
        }
        if (string) {
            StringBuilder sb = new StringBuilder();
            out.forEach(c -> sb.append((String) c));
            return sb.toString();
        }
        return seq instanceof PyTuple ? PyTuple.of(out) : out;
    }

    private static long clamp(long i, long n, long min, long max) {
        long k = i < 0 ? i + n : i;
        return Math.max(min, Math.min(max, k));
    }

    static Iterator<?> iterator(Object value) {
        return iterate(value).iterator();
    }
}
