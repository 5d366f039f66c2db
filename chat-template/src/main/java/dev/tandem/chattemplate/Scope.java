package dev.tandem.chattemplate;

import java.util.HashMap;
import java.util.Map;

/**
 * Variables visible at one point of a render. As in Jinja2, a {@code for} iteration, a macro call and a
 * {@code with} block get a new scope whose assignments vanish when it ends; {@code if} does not.
 */
final class Scope {

    private static final Object MISSING = new Object();

    private final Scope parent;
    private final Map<String, Object> vars;

    Scope(Scope parent) {
        this(parent, new HashMap<>(8));
    }

    Scope(Scope parent, Map<String, Object> vars) {
        this.parent = parent;
        this.vars = vars;
    }

    Object get(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Object value = s.vars.getOrDefault(name, MISSING);
            if (value != MISSING) {
                return value;
            }
        }
        return Undefined.variable(name);
    }

    void set(String name, Object value) {
        vars.put(name, value);
    }
}
