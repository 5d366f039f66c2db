package dev.tandem.chattemplate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON in and out: Jackson trees as template values, and Python's {@code json.dumps} (what Hugging Face's
 * {@code tojson} is) byte for byte: {@code ", "} and {@code ": "} separators, {@code ","} between items once
 * indented, {@code ensure_ascii}, {@code sort_keys}, floats as Python prints them.
 */
public final class Json {

    private Json() {
    }

    /** A Jackson tree as a template value: objects keep their key order; integers are ints, not floats. */
    public static Object fromJackson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                out.put(e.getKey(), fromJackson(e.getValue()));
            }
            return out;
        }
        if (node.isArray()) {
            List<Object> out = new ArrayList<>(node.size());
            for (JsonNode item : node) {
                out.add(fromJackson(item));
            }
            return out;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            if (node.canConvertToLong()) {
                return node.longValue();
            }
            return node.doubleValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }

    /**
     * {@code json.dumps(value, ensure_ascii=..., indent=..., separators=..., sort_keys=...)}.
     *
     * @param indent null for one line; else the text of one indentation level
     * @param itemSeparator null for Python's default ({@code ", "}, or {@code ","} when indented)
     * @param keySeparator null for {@code ": "}
     */
    static String dumps(Object value, String indent, String itemSeparator, String keySeparator, boolean sortKeys,
            boolean ensureAscii) {
        StringBuilder out = new StringBuilder();
        String items = itemSeparator != null ? itemSeparator : indent == null ? ", " : ",";
        new Writer(out, indent, items, keySeparator != null ? keySeparator : ": ", sortKeys, ensureAscii)
                .write(value, 0);
        return out.toString();
    }

    private record Writer(StringBuilder out, String indent, String itemSeparator, String keySeparator,
            boolean sortKeys, boolean ensureAscii) {

        void write(Object input, int level) {
            Object value = Markup.plain(input);
            switch (value) {
                case null -> out.append("null");
                case Boolean b -> out.append(b ? "true" : "false");
                case Long l -> out.append(l);
                case Double d -> out.append(number(d));
                case String s -> string(s);
                case Collection<?> list -> {
                    if (list.isEmpty()) {
                        out.append("[]");
                        return;
                    }
                    out.append('[');
                    boolean first = true;
                    for (Object item : list) {
                        separate(first, level + 1);
                        first = false;
                        write(item, level + 1);
                    }
                    close(level, ']');
                }
                case Map<?, ?> map -> {
                    if (map.isEmpty()) {
                        out.append("{}");
                        return;
                    }
                    out.append('{');
                    List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
                    if (sortKeys) {
                        entries.sort((x, y) -> Values.compare(x.getKey(), y.getKey(), "<"));
                    }
                    boolean first = true;
                    for (Map.Entry<?, ?> e : entries) {
                        separate(first, level + 1);
                        first = false;
                        string(key(e.getKey()));
                        out.append(keySeparator);
                        write(e.getValue(), level + 1);
                    }
                    close(level, '}');
                }
                default -> throw TemplateException.type("Object of type " + Values.typeName(value)
                        + " is not JSON serializable");
            }
        }

        private void separate(boolean first, int level) {
            if (!first) {
                out.append(itemSeparator);
            }
            if (indent != null) {
                out.append('\n').append(indent.repeat(level));
            }
        }

        private void close(int level, char bracket) {
            if (indent != null) {
                out.append('\n').append(indent.repeat(level));
            }
            out.append(bracket);
        }

        private static String key(Object key) {
            return switch (key) {
                case String s -> s;
                case null -> "null";
                case Boolean b -> b ? "true" : "false";
                case Long l -> l.toString();
                case Double d -> number(d);
                default -> throw TemplateException.type("keys must be str, int, float, bool or None, not "
                        + Values.typeName(key));
            };
        }

        private static String number(double d) {
            if (Double.isNaN(d)) {
                return "NaN";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "Infinity" : "-Infinity";
            }
            return Values.floatRepr(d);
        }

        private void string(String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
