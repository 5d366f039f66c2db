package dev.tandem.frontend.tools;

import java.util.ArrayList;
import java.util.List;

import dev.tandem.frontend.openai.ToolChoices;
import dev.tandem.frontend.openai.ToolCall;

/**
 * Turns one response's text into content and tool calls, whole or as it streams. Streaming, text that cannot be
 * part of a call is passed on at once; from where a call may begin the text is held, and read when the output ends:
 * the calls then come in one chunk (each complete: id, name and all its arguments), or the held text as content
 * when it holds no call. Not thread-safe: one per response.
 */
public final class ToolCallReader {

    public static final String TOOL_CALLS = "tool_calls";

    /** What one streamed step adds: content to send now (may be empty), calls (empty until the end), the reason. */
    public record Step(String content, List<ToolCall> calls, String finishReason) {
    }

    /** A whole response: content null when the model wrote only calls. */
    public record Outcome(String content, List<ToolCall> calls, String finishReason) {
    }

    private final ToolCallParser parser;
    private final boolean parallel;
    private final StringBuilder output = new StringBuilder();
    private int sent;

    /** @param modelParser the served model's parser, used under {@code tool_choice: auto} */
    public ToolCallReader(ToolChoices choices, ToolCallParser modelParser) {
        this.parser = switch (choices.mode()) {
            case NAMED -> new ForcedCallParser(choices.function());
            case REQUIRED -> new ForcedCallParser(null);
            default -> modelParser;
        };
        this.parallel = choices.parallel();
    }

    public Outcome whole(String text, String finishReason) {
        ToolCallParser.Parsed parsed = parser.parse(text);
        if (parsed.calls().isEmpty()) {
            return new Outcome(text, List.of(), finishReason);
        }
        return new Outcome(parsed.content(), ids(parsed.calls()), TOOL_CALLS);
    }

    public Step next(String text, String finishReason) {
        output.append(text);
        if (finishReason == null) {
            int safe = Math.max(sent, parser.textPrefix(output.toString()));
            String now = output.substring(sent, safe);
            sent = safe;
            return new Step(now, List.of(), null);
        }
        String held = output.substring(sent);
        sent = output.length();
        ToolCallParser.Parsed parsed = parser.parse(held);
        if (parsed.calls().isEmpty()) {
            return new Step(held, List.of(), finishReason);
        }
        List<ToolCall> calls = ids(parsed.calls());
        List<ToolCall> indexed = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            indexed.add(calls.get(i).at(i));
        }
        return new Step(parsed.content() == null ? "" : parsed.content(), List.copyOf(indexed), TOOL_CALLS);
    }

    /** The calls with fresh ids; the first only when {@code parallel_tool_calls} is false. */
    private List<ToolCall> ids(List<ToolCallParser.Call> calls) {
        return calls.stream().limit(parallel ? Long.MAX_VALUE : 1).map(call -> ToolCall.of(ToolCallIds.next(), call.name(), call.arguments())).toList();
    }
}
