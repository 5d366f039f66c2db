package dev.tandem.frontend.tools;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Llama 3.1/3.2 JSON calls: the whole output is {@code {"name": ..., "parameters": {...}}} (or {@code "arguments"}),
 * optionally after {@code <|python_tag|>}, several separated by {@code ;} or whitespace. Output that does not begin
 * with a call, or does not consist of calls only, is text.
 */
public final class Llama3JsonToolParser implements ToolCallParser {

    public static final String NAME = "llama3_json";
    static final String PYTHON_TAG = "<|python_tag|>";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Parsed parse(String output) {
        String rest = output.strip();
        if (rest.startsWith(PYTHON_TAG)) {
            rest = rest.substring(PYTHON_TAG.length()).strip();
        }
        if (!rest.startsWith("{")) {
            return Parsed.text(output);
        }
        List<Call> calls = new ArrayList<>();
        int at = 0;
        while (true) {
            while (at < rest.length() && (Character.isWhitespace(rest.charAt(at)) || rest.charAt(at) == ';')) {
                at++;
            }
            if (at == rest.length()) {
                break;
            }
            if (rest.charAt(at) != '{') {
                return Parsed.text(output);
            }
            JsonNode value;
            int end;
            try (JsonParser parser = JSON.createParser(rest.substring(at))) {
                value = parser.readValueAsTree();
                end = at + (int) parser.currentLocation().getCharOffset();
            } catch (IOException | RuntimeException e) {
                return Parsed.text(output);
            }
            Call call = CallJson.call(value, value != null && value.has("parameters") ? "parameters" : "arguments");
            if (call == null) {
                return Parsed.text(output);
            }
            calls.add(call);
            at = end;
        }
        return new Parsed(null, List.copyOf(calls));
    }

    @Override
    public int textPrefix(String output) {
        String rest = output.stripLeading();
        if (rest.isEmpty() || rest.startsWith("{") || rest.startsWith(PYTHON_TAG) || PYTHON_TAG.startsWith(rest)) {
            return 0;
        }
        return output.length();
    }
}
