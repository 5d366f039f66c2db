package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One call in {@code message.tool_calls} or {@code delta.tool_calls}: {@code index} only in streamed deltas,
 * {@code arguments} the JSON text of the arguments object, as OpenAI sends it.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"index", "id", "type", "function"})
public record ToolCall(Integer index, String id, String type, Function function) {

    /** {@code name} null in a streamed call's later entries, which carry only a piece of the arguments. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"name", "arguments"})
    public record Function(String name, String arguments) {
    }

    public static ToolCall of(String id, String name, String arguments) {
        return new ToolCall(null, id, "function", new Function(name, arguments));
    }

    /** This call as a streamed delta entry, at {@code index} among the message's calls. */
    public ToolCall at(int index) {
        return new ToolCall(index, id, type, function);
    }
}
