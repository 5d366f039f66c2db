package dev.tandem.chattemplate;

import java.util.List;
import java.util.Map;

/** The evaluated arguments of a call, filter or test: positional ones, then keyword ones in order. */
record CallArgs(List<Object> positional, Map<String, Object> keywords) {

    static final CallArgs NONE = new CallArgs(List.of(), Map.of());

    int size() {
        return positional.size();
    }

    /** The argument at {@code index}, or the keyword {@code name}, or {@code fallback}. */
    Object get(int index, String name, Object fallback) {
        if (index < positional.size()) {
            return positional.get(index);
        }
        return keywords.containsKey(name) ? keywords.get(name) : fallback;
    }

    boolean has(int index, String name) {
        return index < positional.size() || keywords.containsKey(name);
    }
}
