package dev.tandem.frontend.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tandem.frontend.openai.ToolCall;

/**
 * Follows the tool calls in a streamed output as it grows and hands out what is new of each, as OpenAI streams
 * {@code delta.tool_calls}: a call's first entry carries its index, id, type and name, the later ones pieces of its
 * arguments' JSON text, as the model writes them. A call is a JSON object with a {@code name} and its
 * {@code arguments} (or {@code parameters}) that no other object encloses, wherever it sits: in a Hermes
 * {@code <tool_call>} block, a Llama 3 {@code ;}-list or a constrained {@code [...]} array; text around the objects
 * is skipped. Under a named {@code tool_choice} the whole output is the arguments. Not thread-safe: one per choice.
 */
final class CallStream {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The call being followed, or the last one. */
    private static final class Call {
        final int index;
        String name;
        /** Where its arguments' value begins in the output, -1 until then; where the part not yet sent begins. */
        int argumentsFrom = -1;
        int argumentsSent;
        /** Where the value ended, -1 while it goes on. */
        int argumentsTo = -1;
        boolean opened;
        boolean closed;

        Call(int index) {
            this.index = index;
        }
    }

    private final int maxCalls;
    private final boolean named;
    private final List<Call> calls = new ArrayList<>();
    // The scanner: open containers ('{' or '['), and where it is in a string.
    private final StringBuilder containers = new StringBuilder();
    private boolean inString;
    private boolean escaped;
    private int scanned;
    /** Depth (containers open) of the current call's object; 0 when outside any call. */
    private int callDepth;
    private Call current;
    // Inside the call's object: its member being read.
    private String key;
    private int keyFrom = -1;
    private boolean afterColon;
    private int valueFrom = -1;

    /** @param namedFunction under a named {@code tool_choice}, the function: the whole output is its arguments */
    CallStream(String namedFunction, int maxCalls) {
        this.maxCalls = maxCalls;
        this.named = namedFunction != null;
        if (named) {
            current = new Call(0);
            current.name = namedFunction;
            current.argumentsFrom = 0;
            calls.add(current);
        }
    }

    /** Calls opened so far. */
    int opened() {
        return (int) calls.stream().filter(call -> call.opened).count();
    }

    /** Reads {@code output} from where it left off, but not before {@code from}; returns the new entries. */
    List<ToolCall> advance(String output, int from) {
        for (int i = Math.max(scanned, from); i < output.length(); i++) {
            scan(output, i);
        }
        scanned = Math.max(scanned, output.length());
        List<ToolCall> entries = new ArrayList<>();
        for (Call call : calls) {
            entry(call, output).ifPresent(entries::add);
        }
        return entries;
    }

    private Optional<ToolCall> entry(Call call, String output) {
        if (call.name == null || call.argumentsFrom < 0 && !call.closed) {
            return Optional.empty();
        }
        int end = call.argumentsTo >= 0 ? call.argumentsTo : output.length();
        String piece = "";
        if (call.argumentsFrom >= 0 && end > call.argumentsSent) {
            if (output.charAt(call.argumentsFrom) == '"') {
                // arguments written as a JSON string (OpenAI's wire form): sent decoded, once complete
                if (call.argumentsTo >= 0) {
                    piece = decoded(output.substring(call.argumentsFrom, end));
                    call.argumentsSent = end;
                }
            } else {
                piece = output.substring(call.argumentsSent, end);
                call.argumentsSent = end;
            }
        }
        if (!call.opened) {
            call.opened = true;
            if (call.argumentsFrom < 0) {
                piece = "{}"; // a call without arguments takes none
            }
            return Optional.of(new ToolCall(call.index, ToolCallIds.next(), "function",
                    new ToolCall.Function(call.name, piece)));
        }
        return piece.isEmpty() ? Optional.empty()
                : Optional.of(new ToolCall(call.index, null, null, new ToolCall.Function(null, piece)));
    }

    private void scan(String output, int i) {
        if (named || current == null && calls.size() >= maxCalls) {
            return;
        }
        char c = output.charAt(i);
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
                if (keyFrom >= 0) {
                    key = output.substring(keyFrom, i);
                    keyFrom = -1;
                }
            }
            return;
        }
        int depth = containers.length();
        if (current == null && c == '{' && (depth == 0 || depth == 1 && containers.charAt(0) == '[')) {
            containers.append(c); // a call begins: on its own, or in an array of calls
            current = new Call(calls.size());
            calls.add(current);
            callDepth = depth + 1;
            resetMember();
            return;
        }
        if (depth == 0) {
            if (c == '[') {
                containers.append(c);
            }
            return; // text outside JSON is skipped
        }
        if (current != null && depth == callDepth) {
            member(output, i, c);
        }
        switch (c) {
            case '"' -> inString = true;
            case '{', '[' -> containers.append(c);
            case '}', ']' -> close();
            default -> {
            }
        }
    }

    /** A character directly inside the call's object: keys, colons, values' starts and ends. */
    private void member(String output, int i, char c) {
        if (Character.isWhitespace(c)) {
            return;
        }
        if (valueFrom < 0 && !afterColon) {
            if (c == '"') {
                keyFrom = i + 1;
            } else if (c == ':') {
                afterColon = true;
            }
            return;
        }
        if (afterColon && valueFrom < 0) {
            valueFrom = i;
            if (isArguments(key)) {
                current.argumentsFrom = i;
                current.argumentsSent = i;
            }
            return;
        }
        if (c == ',' || c == '}') {
            endValue(output, i);
        }
    }

    private void endValue(String output, int end) {
        if (valueFrom >= 0 && current != null) {
            int to = end;
            while (to > valueFrom && Character.isWhitespace(output.charAt(to - 1))) {
                to--;
            }
            if ("name".equals(key) && output.charAt(valueFrom) == '"') {
                current.name = decoded(output.substring(valueFrom, to));
            } else if (isArguments(key)) {
                current.argumentsTo = to;
            }
        }
        resetMember();
    }

    private void close() {
        containers.setLength(containers.length() - 1);
        if (current != null && containers.length() == callDepth - 1) {
            if (current.name == null) {
                calls.remove(current); // an object without a name is no call
            } else {
                current.closed = true;
            }
            current = null;
            callDepth = 0;
        }
    }

    private void resetMember() {
        key = null;
        keyFrom = -1;
        afterColon = false;
        valueFrom = -1;
    }

    private static boolean isArguments(String key) {
        return "arguments".equals(key) || "parameters".equals(key);
    }

    private static String decoded(String jsonString) {
        try {
            return JSON.readValue(jsonString, String.class);
        } catch (JsonProcessingException e) {
            return "";
        }
    }
}
