package dev.tandem.frontend.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tandem's tool format for a model whose chat template does not take {@code tools} (or that has no template): a
 * system preamble listing the tools as JSON and asking for Hermes-style calls, {@code <tool_call>{"name": ...,
 * "arguments": {...}}</tool_call>}; earlier calls are written the same way in the assistant's turn and tool results
 * as {@code <tool_response>...</tool_response>} in a user turn.
 */
final class DefaultToolFormat {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final String INTRO = "You may call one or more functions to answer. The functions are listed as JSON"
            + " between <tools></tools>:\n<tools>\n";
    static final String OUTRO = "</tools>\nTo call a function, reply with one block per call, each holding a JSON"
            + " object with the function's name and arguments:\n<tool_call>\n{\"name\": <function-name>,"
            + " \"arguments\": <arguments-object>}\n</tool_call>";

    private DefaultToolFormat() {
    }

    /** The preamble for these tools. */
    static String preamble(List<?> tools) {
        StringBuilder text = new StringBuilder(INTRO);
        for (Object tool : tools) {
            text.append(json(tool)).append('\n');
        }
        return text.append(OUTRO).toString();
    }

    /** A model without a template: the contents joined with {@code "\n"}, after the preamble when tools are offered. */
    static String render(List<Map<String, Object>> messages, List<?> tools) {
        List<String> parts = new ArrayList<>();
        for (Map<String, Object> message : inline(messages, tools)) {
            parts.add(message.get("content") instanceof String s ? s : "");
        }
        return String.join("\n", parts);
    }

    /**
     * The messages with the tools in a system message (added to the first one when there is one) and the calls and
     * tool results written as text, for a template that knows nothing of tools.
     */
    static List<Map<String, Object>> inline(List<Map<String, Object>> messages, List<?> tools) {
        List<Map<String, Object>> out = new ArrayList<>(messages.size() + 1);
        for (Map<String, Object> message : messages) {
            Map<String, Object> m = new LinkedHashMap<>(message);
            String content = m.get("content") instanceof String s ? s : "";
            if ("tool".equals(m.get("role"))) {
                m.put("role", "user");
                m.put("content", "<tool_response>\n" + content + "\n</tool_response>");
            } else if (m.get("tool_calls") instanceof List<?> calls) {
                StringBuilder text = new StringBuilder(content);
                for (Object call : calls) {
                    Object function = call instanceof Map<?, ?> c ? c.get("function") : null;
                    if (function instanceof Map<?, ?> f) {
                        Map<String, Object> written = new LinkedHashMap<>();
                        written.put("name", f.get("name"));
                        Object arguments = f.get("arguments");
                        written.put("arguments", arguments instanceof String a ? parsed(a) : arguments);
                        text.append(text.isEmpty() ? "" : "\n").append("<tool_call>\n").append(json(written))
                                .append("\n</tool_call>");
                    }
                }
                m.put("content", text.toString());
            }
            m.remove("tool_calls");
            m.remove("tool_call_id");
            out.add(m);
        }
        if (tools != null && !tools.isEmpty()) {
            String preamble = preamble(tools);
            if (!out.isEmpty() && ("system".equals(out.getFirst().get("role")) || "developer".equals(out.getFirst().get("role")))) {
                Map<String, Object> system = out.getFirst();
                system.put("content", (system.get("content") instanceof String s && !s.isEmpty() ? s + "\n\n" : "")
                        + preamble);
            } else {
                Map<String, Object> system = new LinkedHashMap<>();
                system.put("role", "system");
                system.put("content", preamble);
                out.addFirst(system);
            }
        }
        return out;
    }

    private static Object parsed(String arguments) {
        try {
            return JSON.readValue(arguments, Object.class);
        } catch (JsonProcessingException e) {
            return arguments;
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
