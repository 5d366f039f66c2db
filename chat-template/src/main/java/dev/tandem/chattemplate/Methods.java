package dev.tandem.chattemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Python methods of strings, dicts and lists a template may call ({@code message.content.strip()},
 * {@code tool.get('x')}): the read-only ones, as in Jinja2's immutable sandbox (no {@code append}, no
 * {@code update}).
 */
final class Methods {

    private static final Set<String> STRING = Set.of("strip", "lstrip", "rstrip", "split", "rsplit", "splitlines",
            "startswith", "endswith", "upper", "lower", "title", "capitalize", "swapcase", "replace", "find", "rfind",
            "index", "rindex", "count", "join", "isdigit", "isnumeric", "isdecimal", "isalpha", "isalnum", "isspace",
            "islower", "isupper", "zfill", "center", "ljust", "rjust", "removeprefix", "removesuffix", "format",
            "partition", "rpartition");
    private static final Set<String> DICT = Set.of("get", "items", "keys", "values", "copy");
    private static final Set<String> LIST = Set.of("index", "count", "copy");

    private Methods() {
    }

    static boolean isStringMethod(String name) {
        return STRING.contains(name);
    }

    static boolean isDictMethod(String name) {
        return DICT.contains(name);
    }

    static boolean isListMethod(String name) {
        return LIST.contains(name);
    }

    static PyCallable bind(Object receiver, String name) {
        return args -> call(receiver, name, args);
    }

    static Object call(Object receiver, String name, CallArgs args) {
        return switch (receiver) {
            case String s -> string(s, name, args);
            case Map<?, ?> m -> dict(m, name, args);
            case List<?> l -> list(l, name, args);
            default -> throw TemplateException.type("no method " + name);
        };
    }

    private static Object dict(Map<?, ?> m, String name, CallArgs args) {
        return switch (name) {
            case "get" -> {
                Object key = args.get(0, "key", null);
                if (m.containsKey(key)) {
                    yield m.get(key);
                }
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (Values.isNumber(key) && Values.eq(e.getKey(), key)) {
                        yield e.getValue();
                    }
                }
                yield args.get(1, "default", null);
            }
            case "items" -> {
                List<Object> out = new ArrayList<>(m.size());
                m.forEach((k, v) -> out.add(new PyTuple(k, v)));
                yield out;
            }
            case "keys" -> new ArrayList<>(m.keySet());
            case "values" -> new ArrayList<>(m.values());
            default -> new java.util.LinkedHashMap<>(m);
        };
    }

    private static Object list(List<?> l, String name, CallArgs args) {
        return switch (name) {
            case "index" -> {
                Object x = args.get(0, "value", null);
                for (int i = 0; i < l.size(); i++) {
                    if (Values.eq(l.get(i), x)) {
                        yield (long) i;
                    }
                }
                throw TemplateException.type(Values.repr(x) + " is not in list");
            }
            case "count" -> l.stream().filter(x -> Values.eq(x, args.get(0, "value", null))).count();
            default -> new ArrayList<>(l);
        };
    }

    private static Object string(String s, String name, CallArgs args) {
        return switch (name) {
            case "strip" -> strip(s, chars(args), true, true);
            case "lstrip" -> strip(s, chars(args), true, false);
            case "rstrip" -> strip(s, chars(args), false, true);
            case "split" -> split(s, args.get(0, "sep", null), maxsplit(args));
            case "rsplit" -> rsplit(s, args.get(0, "sep", null), maxsplit(args));
            case "splitlines" -> splitlines(s, Values.truthy(args.get(0, "keepends", false)));
            case "startswith", "endswith" -> {
                Object prefix = args.get(0, "prefix", null);
                List<?> options = prefix instanceof List<?> l ? l : List.of(prefix);
                for (Object p : options) {
                    String text = requireString(p, name);
                    if (name.equals("startswith") ? s.startsWith(text) : s.endsWith(text)) {
                        yield true;
                    }
                }
                yield false;
            }
            case "upper" -> s.toUpperCase(java.util.Locale.ROOT);
            case "lower" -> s.toLowerCase(java.util.Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, s.offsetByCodePoints(0, 1)).toUpperCase(java.util.Locale.ROOT)
                    + s.substring(s.offsetByCodePoints(0, 1)).toLowerCase(java.util.Locale.ROOT);
            case "swapcase" -> {
                StringBuilder out = new StringBuilder();
                s.codePoints().forEach(cp -> out.appendCodePoint(Character.isUpperCase(cp)
                        ? Character.toLowerCase(cp) : Character.toUpperCase(cp)));
                yield out.toString();
            }
            case "replace" -> replace(s, requireString(args.get(0, "old", null), name),
                    requireString(args.get(1, "new", null), name), Values.toLong(args.get(2, "count", -1L)));
            case "find" -> (long) codePointIndex(s, s.indexOf(requireString(args.get(0, "sub", null), name)));
            case "rfind" -> (long) codePointIndex(s, s.lastIndexOf(requireString(args.get(0, "sub", null), name)));
            case "index", "rindex" -> {
                String sub = requireString(args.get(0, "sub", null), name);
                int at = name.equals("index") ? s.indexOf(sub) : s.lastIndexOf(sub);
                if (at < 0) {
                    throw TemplateException.type("substring not found");
                }
                yield (long) codePointIndex(s, at);
            }
            case "count" -> {
                String sub = requireString(args.get(0, "sub", null), name);
                if (sub.isEmpty()) {
                    yield Values.length(s) + 1;
                }
                long n = 0;
                for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
                    n++;
                }
                yield n;
            }
            case "join" -> {
                StringBuilder out = new StringBuilder();
                List<?> items = Values.iterate(args.get(0, "iterable", null));
                for (int i = 0; i < items.size(); i++) {
                    out.append(i > 0 ? s : "").append(requireString(items.get(i), "join"));
                }
                yield out.toString();
            }
            case "isdigit", "isnumeric", "isdecimal" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(c -> Lexer.isWhitespace((char) c));
            case "islower" -> s.codePoints().anyMatch(Character::isLowerCase)
                    && s.codePoints().noneMatch(Character::isUpperCase);
            case "isupper" -> s.codePoints().anyMatch(Character::isUpperCase)
                    && s.codePoints().noneMatch(Character::isLowerCase);
            case "zfill" -> {
                int width = (int) Values.toLong(args.get(0, "width", 0L));
                int pad = width - (int) Values.length(s);
                if (pad <= 0) {
                    yield s;
                }
                boolean sign = !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+');
                yield sign ? s.charAt(0) + "0".repeat(pad) + s.substring(1) : "0".repeat(pad) + s;
            }
            case "center", "ljust", "rjust" -> {
                int width = (int) Values.toLong(args.get(0, "width", 0L));
                String fill = (String) args.get(1, "fillchar", " ");
                int pad = width - (int) Values.length(s);
                if (pad <= 0) {
                    yield s;
                }
                yield switch (name) {
                    case "ljust" -> s + fill.repeat(pad);
                    case "rjust" -> fill.repeat(pad) + s;
                    default -> {
                        int left = pad / 2 + (pad & width & 1);
                        yield fill.repeat(left) + s + fill.repeat(pad - left);
                    }
                };
            }
            case "removeprefix" -> {
                String p = requireString(args.get(0, "prefix", null), name);
                yield s.startsWith(p) ? s.substring(p.length()) : s;
            }
            case "removesuffix" -> {
                String p = requireString(args.get(0, "suffix", null), name);
                yield s.endsWith(p) && !p.isEmpty() ? s.substring(0, s.length() - p.length()) : s;
            }
            case "partition", "rpartition" -> {
                String sep = requireString(args.get(0, "sep", null), name);
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (at < 0) {
                    yield name.equals("partition") ? new PyTuple(s, "", "") : new PyTuple("", "", s);
                }
                yield new PyTuple(s.substring(0, at), sep, s.substring(at + sep.length()));
            }
            case "format" -> format(s, args);
            default -> throw TemplateException.type("no method " + name);
        };
    }

    private static String requireString(Object value, String method) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Undefined u) {
            throw u.error();
        }
        throw TemplateException.type(method + "() argument must be str, not " + Values.typeName(value));
    }

    private static String chars(CallArgs args) {
        Object chars = args.get(0, "chars", null);
        return chars == null ? null : requireString(chars, "strip");
    }

    private static long maxsplit(CallArgs args) {
        return Values.toLong(args.get(1, "maxsplit", -1L));
    }

    private static int codePointIndex(String s, int charIndex) {
        return charIndex < 0 ? -1 : s.codePointCount(0, charIndex);
    }

    /** {@code str.strip(chars)}: whitespace when chars is None. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        if (left) {
            while (start < end && stripped(s.charAt(start), chars)) {
                start++;
            }
        }
        if (right) {
            while (end > start && stripped(s.charAt(end - 1), chars)) {
                end--;
            }
        }
        return s.substring(start, end);
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? Lexer.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    static List<Object> split(String s, Object sep, long maxsplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && Lexer.isWhitespace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (maxsplit >= 0 && out.size() >= maxsplit) {
                    out.add(Lexer.rstrip(s.substring(i)));
                    break;
                }
                int j = i;
                while (j < n && !Lexer.isWhitespace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        String separator = requireString(sep, "split");
        if (separator.isEmpty()) {
            throw TemplateException.type("empty separator");
        }
        int from = 0;
        int at;
        while ((maxsplit < 0 || out.size() < maxsplit) && (at = s.indexOf(separator, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + separator.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static List<Object> rsplit(String s, Object sep, long maxsplit) {
        if (maxsplit < 0) {
            return split(s, sep, -1);
        }
        if (sep == null) {
            List<Object> out = new ArrayList<>();
            int j = s.length();
            while (true) {
                while (j > 0 && Lexer.isWhitespace(s.charAt(j - 1))) {
                    j--;
                }
                if (j <= 0) {
                    break;
                }
                if (out.size() >= maxsplit) {
                    out.add(0, Methods.strip(s.substring(0, j), null, true, false));
                    break;
                }
                int i = j;
                while (i > 0 && !Lexer.isWhitespace(s.charAt(i - 1))) {
                    i--;
                }
                out.add(0, s.substring(i, j));
                j = i;
            }
            return out;
        }
        String separator = requireString(sep, "rsplit");
        List<Object> out = new ArrayList<>();
        int end = s.length();
        int at;
        while (out.size() < maxsplit && (at = s.lastIndexOf(separator, end - separator.length())) >= 0) {
            out.add(0, s.substring(at + separator.length(), end));
            end = at;
        }
        out.add(0, s.substring(0, end));
        return out;
    }

    /** {@code str.splitlines}: every line boundary Python knows. */
    static List<Object> splitlines(String s, boolean keepends) {
        List<Object> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            int eol;
            if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') {
                eol = 2;
            } else if (c == '\n' || c == '\r' || c == '\u000b' || c == '\f' || c == '\u001c' || c == '\u001d'
                    || c == '\u001e' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                eol = 1;
            } else {
                i++;
                continue;
            }
            out.add(s.substring(start, keepends ? i + eol : i));
            i += eol;
            start = i;
        }
        if (start < n) {
            out.add(s.substring(start));
        }
        return out;
    }

    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean cased = Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
            out.appendCodePoint(previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
            previousCased = cased;
        }
        return out.toString();
    }

    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        int at;
        for (long k = 0; k < count && (at = s.indexOf(old, from)) >= 0; k++) {
            out.append(s, from, at).append(replacement);
            from = at + old.length();
            if (old.isEmpty()) {
                if (from < s.length()) {
                    out.append(s.charAt(from));
                }
                from++;
            }
        }
        if (from <= s.length()) {
            out.append(s.substring(from));
        }
        return out.toString();
    }

    /** {@code str.format} with {@code {}}, {@code {0}} and {@code {name}} fields (no format specs). */
    private static String format(String s, CallArgs args) {
        StringBuilder out = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                out.append('{');
                i++;
            } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                out.append('}');
                i++;
            } else if (c == '{') {
                int end = s.indexOf('}', i);
                if (end < 0) {
                    throw TemplateException.type("Single '{' encountered in format string");
                }
                String field = s.substring(i + 1, end);
                Object value;
                if (field.isEmpty()) {
                    value = args.positional().get(auto++);
                } else if (field.chars().allMatch(Character::isDigit)) {
                    value = args.positional().get(Integer.parseInt(field));
                } else if (args.keywords().containsKey(field)) {
                    value = args.keywords().get(field);
                } else {
                    throw TemplateException.type("KeyError: " + Values.repr(field));
                }
                out.append(Values.str(value));
                i = end;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
