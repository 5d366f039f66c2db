package dev.tandem.frontend.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python {@code str} methods that chat templates call ({@code content.strip()},
 * {@code role.startswith('sys')}, ...) but Java's {@link String} lacks or spells differently. Jinjava
 * resolves a method call on a value by Java reflection, so without this those calls fail. Only
 * method calls on strings are handled; everything else falls through to the next resolver.
 */
final class PythonStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String text) || !(method instanceof String name)) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(text, name, args);
        if (result != null) {
            context.setPropertyResolved(true);
        }
        return result;
    }

    /** The result, or null when this is not a Python method we emulate. */
    private static Object call(String text, String name, Object[] args) {
        return switch (name) {
            case "strip" -> rstrip(lstrip(text, charsArg(args)), charsArg(args));
            case "lstrip" -> lstrip(text, charsArg(args));
            case "rstrip" -> rstrip(text, charsArg(args));
            case "startswith" -> args.length == 1 && args[0] != null ? text.startsWith(args[0].toString()) : null;
            case "endswith" -> args.length == 1 && args[0] != null ? text.endsWith(args[0].toString()) : null;
            case "upper" -> args.length == 0 ? text.toUpperCase(Locale.ROOT) : null;
            case "lower" -> args.length == 0 ? text.toLowerCase(Locale.ROOT) : null;
            case "capitalize" -> args.length == 0 ? capitalize(text) : null;
            case "title" -> args.length == 0 ? title(text) : null;
            case "split" -> args.length == 0 || args[0] == null
                    ? splitOnWhitespace(text)
                    : split(text, args[0].toString());
            default -> null;
        };
    }

    /** Python's optional {@code chars} argument; null means whitespace. */
    private static String charsArg(Object[] args) {
        return args.length > 0 && args[0] != null ? args[0].toString() : null;
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? isPythonSpace(c) : chars.indexOf(c) >= 0;
    }

    private static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static String lstrip(String text, String chars) {
        int start = 0;
        while (start < text.length() && strippable(text.charAt(start), chars)) {
            start++;
        }
        return text.substring(start);
    }

    private static String rstrip(String text, String chars) {
        int end = text.length();
        while (end > 0 && strippable(text.charAt(end - 1), chars)) {
            end--;
        }
        return text.substring(0, end);
    }

    private static String capitalize(String text) {
        return text.isEmpty()
                ? text
                : text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1).toLowerCase(Locale.ROOT);
    }

    /** Upper-cases the first letter of each run of letters and lower-cases the rest, like str.title. */
    private static String title(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean previousIsLetter = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(previousIsLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
            previousIsLetter = Character.isLetter(c);
        }
        return out.toString();
    }

    private static List<String> splitOnWhitespace(String text) {
        String trimmed = lstrip(rstrip(text, null), null);
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
    }

    /** Python keeps empty parts when splitting on a given separator, unlike Java's String.split. */
    private static List<String> split(String text, String separator) {
        if (separator.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int at = text.indexOf(separator); at >= 0; at = text.indexOf(separator, start)) {
            parts.add(text.substring(start, at));
            start = at + separator.length();
        }
        parts.add(text.substring(start));
        return parts;
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // Read-only: this resolver only adds methods.
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
