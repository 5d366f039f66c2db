package dev.tandem.frontend.tools;

import java.util.List;

/**
 * Finds the tool calls in a model's output, in the format of one model family. A parser never fails: output that
 * holds no call, or a call it cannot read (malformed JSON, no name), is text.
 */
public interface ToolCallParser {

    /** One call as the model wrote it: the function's name and its arguments as JSON text (an object). */
    record Call(String name, String arguments) {
    }

    /**
     * @param content the text outside the calls, stripped; null when there is none
     * @param calls   empty when the model called nothing
     */
    record Parsed(String content, List<Call> calls) {

        public static Parsed text(String text) {
            return new Parsed(text, List.of());
        }
    }

    /** The name the parser is configured by ({@code TANDEM_TOOL_CALL_PARSER}). */
    String name();

    Parsed parse(String output);

    /**
     * While streaming: how much of the output so far is surely text, i.e. cannot be the start of a call, so that it
     * may be sent as content at once; the rest is held until a call is complete or the output ends.
     */
    int textPrefix(String output);
}
