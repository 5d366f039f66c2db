package dev.tandem.frontend.tools;

import java.util.ArrayList;
import java.util.List;

import dev.tandem.frontend.openai.ToolChoices;
import dev.tandem.frontend.openai.ToolCall;

/**
 * Turns one response's text into content and tool calls, whole or as it streams. Streaming, text that cannot be
 * part of a call is passed on at once; from where a call may begin the text is held, and each call is streamed as the
 * model writes it ({@link CallStream}: its name first, then its arguments piece by piece). When the output ends the
 * held text is read whole by the parser: calls the stream did not follow come then, complete; text outside the calls
 * is sent as content; and held text that holds no call is sent as content. Not thread-safe: one per response.
 */
public final class ToolCallReader {

    public static final String TOOL_CALLS = "tool_calls";

    /** What one streamed step adds: content to send now (may be empty), call entries (delta.tool_calls), the reason. */
    public record Step(String content, List<ToolCall> calls, String finishReason) {
    }

    /** A whole response: content null when the model wrote only calls. */
    public record Outcome(String content, List<ToolCall> calls, String finishReason) {
    }

    private final ToolCallParser parser;
    private final boolean parallel;
    private final CallStream stream;
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
        this.stream = new CallStream(choices.mode() == ToolChoices.Mode.NAMED ? choices.function() : null,
                parallel ? Integer.MAX_VALUE : 1);
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
        String all = output.toString();
        if (finishReason == null) {
            int safe = Math.max(sent, parser.textPrefix(all));
            String now = all.substring(sent, safe);
            sent = safe;
            return new Step(now, stream.advance(all, sent), null);
        }
        List<ToolCall> entries = new ArrayList<>(stream.advance(all, sent));
        int streamed = stream.opened();
        String held = all.substring(sent);
        sent = all.length();
        ToolCallParser.Parsed parsed = parser.parse(held);
        if (parsed.calls().isEmpty()) {
            if (streamed == 0) {
                return new Step(held, List.of(), finishReason);
            }
            // calls already streamed stand, though the whole did not parse (cut by max_tokens or a stop string,
            // or text the parser refuses after them): the client has them, so the reason says so unless it was length
            return new Step("", entries, "length".equals(finishReason) ? finishReason : TOOL_CALLS);
        }
        List<ToolCall> calls = ids(parsed.calls());
        for (int i = streamed; i < calls.size(); i++) {
            entries.add(calls.get(i).at(i));
        }
        return new Step(parsed.content() == null ? "" : parsed.content(), List.copyOf(entries), TOOL_CALLS);
    }

    /** The calls with fresh ids; the first only when {@code parallel_tool_calls} is false. */
    private List<ToolCall> ids(List<ToolCallParser.Call> calls) {
        return calls.stream().limit(parallel ? Long.MAX_VALUE : 1).map(call -> ToolCall.of(ToolCallIds.next(), call.name(), call.arguments())).toList();
    }
}
