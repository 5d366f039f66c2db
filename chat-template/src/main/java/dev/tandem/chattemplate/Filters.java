package dev.tandem.chattemplate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Jinja2's filters, with Hugging Face's {@code tojson} ({@code json.dumps} and its keyword arguments). */
final class Filters {

    private static final Set<String> NAMES = Set.of("abs", "attr", "capitalize", "center", "count", "d", "default",
            "dictsort", "e", "escape", "first", "float", "indent", "int", "items", "join", "last", "length", "list",
            "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select",
            "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "unique", "upper", "wordcount");

    private Filters() {
    }

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static Object apply(Interpreter in, String name, Object input, CallArgs args) {
        if (name.equals("safe")) {
            return input instanceof Markup ? input : new Markup(Values.str(input));
        }
        Object value = Markup.plain(input);
        return switch (name) {
            case "default", "d" -> value instanceof Undefined
                    || Values.truthy(args.get(1, "boolean", false)) && !Values.truthy(value)
                    ? args.get(0, "default_value", "") : value;
            case "length", "count" -> Values.length(value);
            case "string" -> Values.str(value);
            case "lower" -> Values.str(value).toLowerCase(Locale.ROOT);
            case "upper" -> Values.str(value).toUpperCase(Locale.ROOT);
            case "title" -> Methods.title(Values.str(value));
            case "capitalize" -> Methods.call(Values.str(value), "capitalize", CallArgs.NONE);
            case "center" -> Methods.call(Values.str(value), "center",
                    new CallArgs(List.of(args.get(0, "width", 80L)), Map.of()));
            case "trim" -> {
                Object chars = args.get(0, "chars", null);
                yield Methods.strip(Values.str(value), chars == null ? null : Values.str(chars), true, true);
            }
            case "replace" -> {
                Object count = args.get(2, "count", null);
                yield Methods.replace(Values.str(value), Values.str(args.get(0, "old", null)),
                        Values.str(args.get(1, "new", null)), count == null ? -1 : Values.toLong(count));
            }
            case "escape", "e" -> input instanceof Markup ? input : new Markup(Markup.escape(Values.str(value)));
            case "wordcount" -> (long) Values.str(value).split("[^\\p{L}\\p{N}_]+", -1).length
                    - (Values.str(value).isBlank() ? 1 : 0);
            case "join" -> join(value, args);
            case "list" -> new ArrayList<>(Values.iterate(value));
            case "first" -> {
                List<?> items = Values.iterate(value);
                yield items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.getFirst();
            }
            case "last" -> {
                List<?> items = Values.iterate(value);
                yield items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.getLast();
            }
            case "reverse" -> {
                if (value instanceof String s) {
                    yield new StringBuilder(s).reverse().toString();
                }
                List<Object> items = new ArrayList<>(Values.iterate(value));
                Collections.reverse(items);
                yield items;
            }
            case "items" -> {
                if (value instanceof Undefined) {
                    yield List.of();
                }
                if (!(value instanceof Map<?, ?> m)) {
                    throw TemplateException.type("Can only get item pairs from a mapping.");
                }
                yield Methods.call(m, "items", CallArgs.NONE);
            }
            case "dictsort" -> dictsort(value, args);
            case "int" -> toInt(value, args);
            case "float" -> toFloat(value, args);
            case "abs" -> switch (value) {
                case Long l -> (Object) Math.abs(l);
                case Double d -> (Object) Math.abs(d);
                case Boolean b -> (Object) (b ? 1L : 0L);
                case null, default -> throw TemplateException.type("bad operand type for abs(): '" + Values.typeName(value) + "'");
            };
            case "round" -> round(value, args);
            case "sum" -> {
                Object total = args.get(1, "start", 0L);
                Object attribute = args.get(0, "attribute", null);
                for (Object item : Values.iterate(value)) {
                    total = Operators.binary("+", total, attribute == null ? item : path(item, attribute));
                }
                yield total;
            }
            case "min", "max" -> {
                List<Object> sorted = sorted(value, false, Values.truthy(args.get(0, "case_sensitive", false)),
                        args.get(1, "attribute", null));
                if (sorted.isEmpty()) {
                    yield new Undefined("No aggregated item, sequence was empty.");
                }
                yield name.equals("min") ? sorted.getFirst() : sorted.getLast();
            }
            case "sort" -> sorted(value, Values.truthy(args.get(0, "reverse", false)),
                    Values.truthy(args.get(1, "case_sensitive", false)), args.get(2, "attribute", null));
            case "unique" -> unique(value, Values.truthy(args.get(0, "case_sensitive", false)),
                    args.get(1, "attribute", null));
            case "attr" -> Access.attribute(value, Values.str(args.get(0, "name", null)));
            case "map" -> map(in, value, args);
            case "select", "reject" -> select(value, args, false, name.equals("select"));
            case "selectattr", "rejectattr" -> select(value, args, true, name.equals("selectattr"));
            case "indent" -> indent(Values.str(value), args);
            case "tojson" -> tojson(value, args);
            default -> throw new TemplateException(TemplateException.Kind.SYNTAX, "No filter named '" + name + "'.");
        };
    }

    private static String join(Object value, CallArgs args) {
        String separator = Values.str(args.get(0, "d", ""));
        Object attribute = args.get(1, "attribute", null);
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Object item : Values.iterate(value)) {
            if (!first) {
                out.append(separator);
            }
            first = false;
            out.append(Values.str(attribute == null ? item : path(item, attribute)));
        }
        return out.toString();
    }

    /** Jinja2's attribute getter: {@code "a.b"} or an index, each part looked up item first. */
    static Object path(Object item, Object attribute) {
        if (!(attribute instanceof String s)) {
            return Access.item(item, attribute);
        }
        Object value = item;
        for (String part : s.split("\\.")) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? Long.parseLong(part) : part;
            value = Access.item(value, key);
        }
        return value;
    }

    private static Object toInt(Object value, CallArgs args) {
        Object fallback = args.get(0, "default", 0L);
        return switch (value) {
            case Long l -> l;
            case Boolean b -> b ? 1L : 0L;
            case Double d -> Double.isFinite(d) ? (long) (double) d : fallback;
            case String s -> {
                String t = s.strip().replace("_", "");
                try {
                    yield Long.parseLong(t, (int) Values.toLong(args.get(1, "base", 10L)));
                } catch (NumberFormatException e) {
                    try {
                        double d = Double.parseDouble(t);
                        yield Double.isFinite(d) ? (long) d : fallback;
                    } catch (NumberFormatException e2) {
                        yield fallback;
                    }
                }
            }
            case null, default -> fallback;
        };
    }

    private static Object toFloat(Object value, CallArgs args) {
        Object fallback = args.get(0, "default", 0.0);
        return switch (value) {
            case Long l -> (double) l;
            case Boolean b -> b ? 1.0 : 0.0;
            case Double d -> d;
            case String s -> {
                try {
                    String t = s.strip().toLowerCase(Locale.ROOT);
                    yield switch (t) {
                        case "inf", "+inf", "infinity" -> Double.POSITIVE_INFINITY;
                        case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
                        case "nan" -> Double.NaN;
                        default -> t.matches("[+-]?(\\d[\\d_]*\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")
                                ? Double.parseDouble(t.replace("_", "")) : fallback;
                    };
                } catch (NumberFormatException e) {
                    yield fallback;
                }
            }
            case null, default -> fallback;
        };
    }

    private static Object round(Object value, CallArgs args) {
        int precision = (int) Values.toLong(args.get(0, "precision", 0L));
        String method = Values.str(args.get(1, "method", "common"));
        double scale = Math.pow(10, precision);
        double x = Values.toDouble(value) * scale;
        double r = switch (method) {
            case "ceil" -> Math.ceil(x);
            case "floor" -> Math.floor(x);
            default -> Math.signum(x) * Math.floor(Math.abs(x) + 0.5);
        };
        return r / scale;
    }

    private static Object dictsort(Object value, CallArgs args) {
        if (!(value instanceof Map<?, ?> m)) {
            throw TemplateException.type("You can only sort by either \"key\" or \"value\"");
        }
        boolean caseSensitive = Values.truthy(args.get(0, "case_sensitive", false));
        int by = Values.str(args.get(1, "by", "key")).equals("value") ? 1 : 0;
        boolean reverse = Values.truthy(args.get(2, "reverse", false));
        List<Object> pairs = new ArrayList<>((List<?>) Methods.call(m, "items", CallArgs.NONE));
        Comparator<Object> order = (x, y) -> Values.compare(sortKey(((List<?>) x).get(by), caseSensitive),
                sortKey(((List<?>) y).get(by), caseSensitive), "<");
        pairs.sort(reverse ? order.reversed() : order);
        return pairs;
    }

    private static Object sortKey(Object value, boolean caseSensitive) {
        return !caseSensitive && value instanceof String s ? s.toLowerCase(Locale.ROOT) : value;
    }

    private static List<Object> sorted(Object value, boolean reverse, boolean caseSensitive, Object attribute) {
        List<Object> items = new ArrayList<>(Values.iterate(value));
        Comparator<Object> order = (x, y) -> Values.compare(
                sortKey(attribute == null ? x : path(x, attribute), caseSensitive),
                sortKey(attribute == null ? y : path(y, attribute), caseSensitive), "<");
        items.sort(reverse ? order.reversed() : order);
        return items;
    }

    private static List<Object> unique(Object value, boolean caseSensitive, Object attribute) {
        List<Object> out = new ArrayList<>();
        List<Object> seen = new ArrayList<>();
        for (Object item : Values.iterate(value)) {
            Object key = sortKey(attribute == null ? item : path(item, attribute), caseSensitive);
            if (!Values.contains(seen, key)) {
                seen.add(key);
                out.add(item);
            }
        }
        return out;
    }

    /** {@code map(attribute='x', default=...)} or {@code map('filter', args...)}. */
    private static Object map(Interpreter in, Object value, CallArgs args) {
        List<Object> out = new ArrayList<>();
        if (!Values.truthy(value)) {
            return out;
        }
        if (args.keywords().containsKey("attribute")) {
            Object attribute = args.keywords().get("attribute");
            boolean hasDefault = args.keywords().containsKey("default");
            for (Object item : Values.iterate(value)) {
                Object v = path(item, attribute);
                out.add(hasDefault && v instanceof Undefined ? args.keywords().get("default") : v);
            }
            return out;
        }
        if (args.size() == 0) {
            throw TemplateException.type("map requires a filter argument");
        }
        String filter = Values.str(args.positional().getFirst());
        CallArgs rest = new CallArgs(args.positional().subList(1, args.size()), args.keywords());
        for (Object item : Values.iterate(value)) {
            out.add(apply(in, filter, item, rest));
        }
        return out;
    }

    /** select/reject (a test on each item) and selectattr/rejectattr (on one attribute of each). */
    private static Object select(Object value, CallArgs args, boolean byAttribute, boolean keep) {
        int at = 0;
        Object attribute = null;
        if (byAttribute) {
            attribute = args.get(0, "attribute", null);
            at = 1;
        }
        String test = args.size() > at ? Values.str(args.positional().get(at)) : null;
        CallArgs testArgs = args.size() > at + 1
                ? new CallArgs(args.positional().subList(at + 1, args.size()), Map.of()) : CallArgs.NONE;
        List<Object> out = new ArrayList<>();
        if (!Values.truthy(value)) {
            return out;
        }
        for (Object item : Values.iterate(value)) {
            Object subject = byAttribute ? path(item, attribute) : item;
            boolean passes = test == null ? Values.truthy(subject) : Tests.apply(test, subject, testArgs);
            if (passes == keep) {
                out.add(item);
            }
        }
        return out;
    }

    /** Jinja2 3.1's indent: the first line only with {@code first}, blank lines only with {@code blank}. */
    private static String indent(String s, CallArgs args) {
        Object width = args.get(0, "width", 4L);
        String indentation = width instanceof String w ? w : " ".repeat((int) Values.toLong(width));
        boolean first = Values.truthy(args.get(1, "first", false));
        boolean blank = Values.truthy(args.get(2, "blank", false));
        List<Object> lines = Methods.splitlines(s + "\n", false);
        StringBuilder out = new StringBuilder();
        if (blank) {
            for (int i = 0; i < lines.size(); i++) {
                out.append(i > 0 ? "\n" + indentation : "").append((String) lines.get(i));
            }
        } else {
            out.append((String) lines.getFirst());
            for (int i = 1; i < lines.size(); i++) {
                String line = (String) lines.get(i);
                out.append('\n').append(line.isEmpty() ? "" : indentation).append(line);
            }
        }
        return first ? indentation + out : out.toString();
    }

    /** Hugging Face's {@code tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}. */
    private static String tojson(Object value, CallArgs args) {
        boolean ensureAscii = Values.truthy(args.get(0, "ensure_ascii", false));
        Object indent = args.get(1, "indent", null);
        Object separators = args.get(2, "separators", null);
        boolean sortKeys = Values.truthy(args.get(3, "sort_keys", false));
        String indentText = switch (indent) {
            case null -> null;
            case String s -> s;
            case Long n -> " ".repeat((int) Math.max(0, n));
            case Boolean b -> b ? " " : "";
            default -> throw TemplateException.type("indent must be an int or a string");
        };
        String itemSeparator = null;
        String keySeparator = null;
        if (separators != null) {
            List<?> pair = Values.iterate(separators);
            if (pair.size() != 2) {
                throw TemplateException.type("separators must be a pair");
            }
            itemSeparator = Values.str(pair.get(0));
            keySeparator = Values.str(pair.get(1));
        }
        return Json.dumps(value, indentText, itemSeparator, keySeparator, sortKeys, ensureAscii);
    }
}
