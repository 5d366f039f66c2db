package dev.tandem.chattemplate;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code namespace(...)}: attributes a template may assign with {@code {% set ns.name = ... %}} from any scope. */
final class Namespace {

    final Map<String, Object> attributes = new LinkedHashMap<>();

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("<Namespace {");
        String sep = "";
        for (Map.Entry<String, Object> e : attributes.entrySet()) {
            out.append(sep).append(Values.repr(e.getKey())).append(": ").append(Values.repr(e.getValue()));
            sep = ", ";
        }
        return out.append("}>").toString();
    }
}
