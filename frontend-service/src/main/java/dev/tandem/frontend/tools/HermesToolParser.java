package dev.tandem.frontend.tools;

import java.util.ArrayList;
import java.util.List;

/**
 * Hermes-style calls (Qwen 2.5/3, Hermes, and Tandem's default format): {@code <tool_call>{"name": ..., "arguments":
 * {...}}</tool_call>}, any number of them, with text around them. A last block the output ends inside of (no
 * {@code </tool_call>}) still counts when its JSON is complete. Any block that is not a call makes the whole output
 * text.
 */
public final class HermesToolParser implements ToolCallParser {

    public static final String NAME = "hermes";
    static final String OPEN = "<tool_call>";
    static final String CLOSE = "</tool_call>";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Parsed parse(String output) {
        int first = output.indexOf(OPEN);
        if (first < 0) {
            return Parsed.text(output);
        }
        StringBuilder content = new StringBuilder(output.substring(0, first));
        List<Call> calls = new ArrayList<>();
        int at = first;
        while (at >= 0) {
            int start = at + OPEN.length();
            int end = output.indexOf(CLOSE, start);
            String json = end < 0 ? output.substring(start) : output.substring(start, end);
            Call call = CallJson.call(json, "arguments");
            if (call == null) {
                return Parsed.text(output);
            }
            calls.add(call);
            if (end < 0) {
                break;
            }
            int next = output.indexOf(OPEN, end + CLOSE.length());
            content.append(next < 0 ? output.substring(end + CLOSE.length())
                    : output.substring(end + CLOSE.length(), next));
            at = next;
        }
        String text = content.toString().strip();
        return new Parsed(text.isEmpty() ? null : text, List.copyOf(calls));
    }

    @Override
    public int textPrefix(String output) {
        int open = output.indexOf(OPEN);
        if (open >= 0) {
            return open;
        }
        // hold a tail that may grow into <tool_call>
        for (int keep = Math.min(OPEN.length() - 1, output.length()); keep > 0; keep--) {
            if (output.endsWith(OPEN.substring(0, keep))) {
                return output.length() - keep;
            }
        }
        return output.length();
    }
}
