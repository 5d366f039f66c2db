package dev.tandem.frontend.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what constrained decoding wrote for {@code tool_choice} {@code required} (an array of
 * {@code {"name": ..., "arguments": {...}}}) or a named function (its arguments object). The constraint makes the
 * output parse; an output cut short (a stop string, a cancelled stream) is text.
 */
final class ForcedCallParser implements ToolCallParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The named function; null for {@code required}. */
    private final String function;

    ForcedCallParser(String function) {
        this.function = function;
    }

    @Override
    public String name() {
        return function == null ? "required" : "named";
    }

    @Override
    public Parsed parse(String output) {
        JsonNode value;
        try {
            value = JSON.readTree(output);
        } catch (JsonProcessingException e) {
            return Parsed.text(output);
        }
        if (function != null) {
            return value != null && value.isObject() ? new Parsed(null, List.of(new Call(function, value.toString())))
                    : Parsed.text(output);
        }
        if (value == null || !value.isArray() || value.isEmpty()) {
            return Parsed.text(output);
        }
        List<Call> calls = new ArrayList<>();
        for (JsonNode item : value) {
            Call call = CallJson.call(item, "arguments");
            if (call == null) {
                return Parsed.text(output);
            }
            calls.add(call);
        }
        return new Parsed(null, List.copyOf(calls));
    }

    @Override
    public int textPrefix(String output) {
        return 0; // all of it is the call
    }
}
