package dev.tandem.chattemplate;

import java.util.List;
import java.util.Map;

/**
 * Jinja2's attribute and item lookup in a sandbox: {@code x.name} tries Python's attribute (a method) before the
 * item, {@code x[key]} the item before the attribute; what is missing is {@link Undefined}, whose use then raises.
 */
final class Access {

    private Access() {
    }

    static Object attribute(Object target, String name) {
        Object obj = Markup.plain(target);
        return switch (obj) {
            case Undefined u -> throw u.error();
            case Map<?, ?> m -> {
                if (Methods.isDictMethod(name)) {
                    yield Methods.bind(obj, name);
                }
                yield m.containsKey(name) ? m.get(name) : Undefined.attribute(obj, name);
            }
            case String s -> Methods.isStringMethod(name) ? Methods.bind(obj, name) : Undefined.attribute(obj, name);
            case List<?> l -> Methods.isListMethod(name) ? Methods.bind(obj, name) : Undefined.attribute(obj, name);
            case Namespace ns -> ns.attributes.containsKey(name) ? ns.attributes.get(name)
                    : Undefined.attribute(obj, name);
            case LoopContext loop -> loop.attribute(name);
            case null -> new Undefined("'None' has no attribute " + Values.repr(name));
            default -> Undefined.attribute(obj, name);
        };
    }

    static Object item(Object target, Object index) {
        Object obj = Markup.plain(target);
        Object key = Markup.plain(index);
        switch (obj) {
            case Undefined u -> throw u.error();
            case Map<?, ?> m -> {
                if (m.containsKey(key)) {
                    return m.get(key);
                }
                if (key instanceof Long || key instanceof Double || key instanceof Boolean) {
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        if (Values.eq(e.getKey(), key)) {
                            return e.getValue();
                        }
                    }
                }
            }
            case List<?> l -> {
                if (Values.isInt(key)) {
                    Object item = Values.index(l, Values.toLong(key));
                    return item != null || inRange(l.size(), Values.toLong(key)) ? item
                            : new Undefined(Values.typeName(obj) + " object has no element " + Values.str(key));
                }
            }
            case String s -> {
                if (Values.isInt(key)) {
                    Object item = Values.index(s, Values.toLong(key));
                    return item != null ? item
                            : new Undefined("str object has no element " + Values.str(key));
                }
            }
            case null, default -> { }
        }
        if (key instanceof String name) {
            Object attr = attribute(obj, name);
            if (attr instanceof Undefined && obj instanceof Map) {
                return new Undefined("'dict object' has no attribute " + Values.repr(name));
            }
            return attr;
        }
        if (obj instanceof Map) {
            return new Undefined("'dict object' has no attribute " + Values.repr(key));
        }
        return new Undefined("'" + Values.typeName(obj) + " object' has no attribute " + Values.repr(key));
    }

    private static boolean inRange(int size, long i) {
        long k = i < 0 ? i + size : i;
        return k >= 0 && k < size;
    }
}
