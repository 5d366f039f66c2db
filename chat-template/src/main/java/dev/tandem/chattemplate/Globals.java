package dev.tandem.chattemplate;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The global functions of a chat template: Jinja2's {@code range}, {@code namespace}, {@code dict}, and Hugging
 * Face's {@code raise_exception(message)} and {@code strftime_now(format)}.
 */
final class Globals {

    /** Jinja2's sandbox refuses ranges longer than this. */
    private static final long MAX_RANGE = 100_000;

    private Globals() {
    }

    static Map<String, Object> create(Supplier<LocalDateTime> now) {
        Map<String, Object> globals = new HashMap<>();
        globals.put("range", (PyCallable) Globals::range);
        globals.put("namespace", (PyCallable) Globals::namespace);
        globals.put("dict", (PyCallable) args -> new java.util.LinkedHashMap<Object, Object>(args.keywords()));
        globals.put("raise_exception", (PyCallable) args -> {
            throw new TemplateException(TemplateException.Kind.RAISED, Values.str(args.get(0, "message", "")));
        });
        globals.put("strftime_now", (PyCallable) args -> strftime(Values.str(args.get(0, "format", "")), now.get()));
        return globals;
    }

    private static Object range(CallArgs args) {
        long start = 0;
        long stop;
        long step = 1;
        List<Object> p = args.positional();
        for (Object v : p) {
            if (!Values.isInt(v)) {
                throw TemplateException.type("'" + Values.typeName(v) + "' object cannot be interpreted as an integer");
            }
        }
        switch (p.size()) {
            case 1 -> stop = Values.toLong(p.get(0));
            case 2, 3 -> {
                start = Values.toLong(p.get(0));
                stop = Values.toLong(p.get(1));
                if (p.size() == 3) {
                    step = Values.toLong(p.get(2));
                }
            }
            default -> throw TemplateException.type("range expected 1 to 3 arguments, got " + p.size());
        }
        if (step == 0) {
            throw TemplateException.type("range() arg 3 must not be zero");
        }
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            if (out.size() >= MAX_RANGE) {
                throw new TemplateException(TemplateException.Kind.SECURITY,
                        "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
            }
            out.add(i);
        }
        return out;
    }

    private static Object namespace(CallArgs args) {
        Namespace ns = new Namespace();
        for (Object initial : args.positional()) {
            if (!(initial instanceof Map<?, ?> m)) {
                throw TemplateException.type("namespace() takes mappings and keyword arguments");
            }
            m.forEach((k, v) -> ns.attributes.put(Values.str(k), v));
        }
        ns.attributes.putAll(args.keywords());
        return ns;
    }

    /** Python's {@code strftime} (C library directives, with glibc's {@code %-d} for no padding). */
    static String strftime(String format, LocalDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            boolean pad = true;
            if (d == '-' && i + 1 < format.length()) {
                pad = false;
                d = format.charAt(++i);
            }
            int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
            String field = switch (d) {
                case 'Y' -> Integer.toString(t.getYear());
                case 'y' -> two(t.getYear() % 100, pad);
                case 'm' -> two(t.getMonthValue(), pad);
                case 'd' -> two(t.getDayOfMonth(), pad);
                case 'e' -> pad ? String.format("%2d", t.getDayOfMonth()) : Integer.toString(t.getDayOfMonth());
                case 'H' -> two(t.getHour(), pad);
                case 'I' -> two(hour12, pad);
                case 'M' -> two(t.getMinute(), pad);
                case 'S' -> two(t.getSecond(), pad);
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US);
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.US);
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US);
                case 'j' -> pad ? String.format("%03d", t.getDayOfYear()) : Integer.toString(t.getDayOfYear());
                case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
                case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
                case 'F' -> String.format("%04d-%02d-%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth());
                case 'T' -> String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
                case 'D' -> String.format("%02d/%02d/%02d", t.getMonthValue(), t.getDayOfMonth(), t.getYear() % 100);
                case 'Z', 'z' -> "";
                case 'n' -> "\n";
                case 't' -> "\t";
                case '%' -> "%";
                default -> "%" + (pad ? "" : "-") + d;
            };
            out.append(field);
        }
        return out.toString();
    }

    private static String two(int value, boolean pad) {
        return pad && value < 10 ? "0" + value : Integer.toString(value);
    }
}
