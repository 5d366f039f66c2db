package dev.tandem.frontend.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads one call object, {@code {"name": "...", "<arguments field>": {...}}}; null when it is not one. */
final class CallJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CallJson() {
    }

    static ToolCallParser.Call call(String json, String argumentsField) {
        try {
            return call(JSON.readTree(json.strip()), argumentsField);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static ToolCallParser.Call call(JsonNode value, String argumentsField) {
        if (value == null || !value.isObject() || !value.path("name").isTextual()
                || value.path("name").textValue().isEmpty()) {
            return null;
        }
        JsonNode arguments = value.get(argumentsField);
        if (arguments == null || arguments.isNull()) {
            return new ToolCallParser.Call(value.get("name").textValue(), "{}");
        }
        if (arguments.isTextual()) { // some models write the arguments as a JSON string, as OpenAI's wire does
            try {
                arguments = JSON.readTree(arguments.textValue());
            } catch (JsonProcessingException e) {
                return null;
            }
        }
        if (arguments == null || !arguments.isObject()) {
            return null;
        }
        return new ToolCallParser.Call(value.get("name").textValue(), arguments.toString());
    }
}
