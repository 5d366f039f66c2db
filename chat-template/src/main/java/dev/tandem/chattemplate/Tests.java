package dev.tandem.chattemplate;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Jinja2's tests ({@code x is defined}, {@code x is string}, {@code x is equalto y}, ...). */
final class Tests {

    private Tests() {
    }

    private static final Set<String> NAMES = Set.of("defined", "undefined", "none", "boolean", "true", "false",
            "integer", "float", "number", "string", "mapping", "iterable", "sequence", "callable", "lower", "upper",
            "odd", "even", "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt",
            "greaterthan", ">", "ge", ">=", "in", "sameas", "escaped", "filter", "test");

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static boolean apply(String name, Object input, CallArgs args) {
        Object value = Markup.plain(input);
        return switch (name) {
            case "defined" -> !(value instanceof Undefined);
            case "undefined" -> value instanceof Undefined;
            case "none" -> value == null;
            case "boolean" -> value instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(value);
            case "false" -> Boolean.FALSE.equals(value);
            case "integer" -> value instanceof Long;
            case "float" -> value instanceof Double;
            case "number" -> Values.isNumber(value);
            case "string" -> value instanceof String;
            case "mapping" -> value instanceof Map;
            case "iterable" -> value instanceof String || value instanceof List || value instanceof Map
                    || value instanceof Undefined;
            case "sequence" -> value instanceof String || value instanceof List || value instanceof Map
                    || value instanceof Undefined;
            case "callable" -> value instanceof PyCallable;
            case "lower" -> {
                String s = Values.str(value);
                yield Methods.call(s, "islower", CallArgs.NONE) == Boolean.TRUE;
            }
            case "upper" -> {
                String s = Values.str(value);
                yield Methods.call(s, "isupper", CallArgs.NONE) == Boolean.TRUE;
            }
            case "odd" -> Values.toLong(requireInt(value)) % 2 != 0;
            case "even" -> Values.toLong(requireInt(value)) % 2 == 0;
            case "divisibleby" -> Math.floorMod(Values.toLong(requireInt(value)),
                    Values.toLong(requireInt(args.get(0, "num", null)))) == 0;
            case "eq", "equalto", "==" -> Values.eq(value, args.get(0, "other", null));
            case "ne", "!=" -> !Values.eq(value, args.get(0, "other", null));
            case "lt", "lessthan", "<" -> Values.compare(value, args.get(0, "other", null), "<") < 0;
            case "le", "<=" -> Values.compare(value, args.get(0, "other", null), "<=") <= 0;
            case "gt", "greaterthan", ">" -> Values.compare(value, args.get(0, "other", null), ">") > 0;
            case "ge", ">=" -> Values.compare(value, args.get(0, "other", null), ">=") >= 0;
            case "in" -> Values.contains(args.get(0, "seq", null), value);
            case "sameas" -> {
                Object other = args.get(0, "other", null);
                yield value == other || (value instanceof Boolean || value instanceof Long) && Values.eq(value, other)
                        && value.getClass() == other.getClass();
            }
            case "escaped" -> false;
            case "filter" -> Filters.exists(Values.str(value));
            case "test" -> exists(Values.str(value));
            default -> throw new TemplateException(TemplateException.Kind.SYNTAX, "No test named '" + name + "'.");
        };
    }

    private static Object requireInt(Object value) {
        if (value instanceof Undefined u) {
            throw u.error();
        }
        if (!Values.isInt(value)) {
            throw TemplateException.type("unsupported operand type(s) for %: '" + Values.typeName(value) + "'");
        }
        return value;
    }
}
