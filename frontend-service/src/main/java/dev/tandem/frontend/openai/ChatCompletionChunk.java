package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Optional;

/**
 * One streamed chat event ({@code "object":"chat.completion.chunk"}).
 *
 * <p>{@code usage} has three states on the wire, hence the {@link Optional}: a null reference omits
 * the key (no {@code include_usage}), {@link Optional#empty()} writes {@code "usage":null} (what
 * OpenAI puts on every chunk when {@code include_usage} is set, see {@link #withNullUsage()}), and a
 * present value is the final usage-only chunk.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "object", "created", "model", "choices", "usage"})
public record ChatCompletionChunk(String id, long created, String model, List<Choice> choices,
        Optional<Usage> usage) implements StreamChunk {

    @RegisterForReflection
    @JsonPropertyOrder({"index", "delta", "logprobs", "finish_reason"})
    public record Choice(
            int index,
            Delta delta,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("finish_reason") String finishReason,
            /** {@link Logprobs}' chat or completions shape; null (written as null) when none were asked for. */
            @JsonInclude(JsonInclude.Include.ALWAYS) Object logprobs) {

        public Choice(int index, Delta delta, String finishReason) {
            this(index, delta, finishReason, null);
        }
    }

    /** What this chunk adds to the message; absent fields are omitted ({@code {}} on the last chunk). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content, @JsonProperty("tool_calls") List<ToolCall> toolCalls) {

        public Delta(String role, String content) {
            this(role, content, null);
        }
    }

    @JsonProperty(value = "object", access = JsonProperty.Access.READ_ONLY)
    public String object() {
        return "chat.completion.chunk";
    }

    /** The first chunk: announces the assistant role with empty content, as OpenAI does. */
    public static ChatCompletionChunk role(String id, long created, String model) {
        return of(id, created, model, new Delta("assistant", ""), null);
    }

    public static ChatCompletionChunk content(String id, long created, String model, String text) {
        return of(id, created, model, new Delta(null, text), null);
    }

    /** Tool calls, each with its {@code index}, complete (name and all arguments) in one chunk. */
    public static ChatCompletionChunk toolCalls(String id, long created, String model, List<ToolCall> calls) {
        return toolCalls(id, created, model, 0, calls);
    }

    /** The same for choice {@code index} of several. */
    public static ChatCompletionChunk toolCalls(String id, long created, String model, int index, List<ToolCall> calls) {
        return new ChatCompletionChunk(id, created, model, List.of(new Choice(index, new Delta(null, null, calls), null)),
                null);
    }

    public static ChatCompletionChunk finish(String id, long created, String model, String finishReason) {
        return of(id, created, model, new Delta(null, null), finishReason);
    }

    /** The extra chunk after the finish chunk when {@code include_usage} is set: no choices, just usage. */
    public static ChatCompletionChunk usage(String id, long created, String model, Usage usage) {
        return new ChatCompletionChunk(id, created, model, List.of(), Optional.of(usage));
    }

    /** This chunk with {@code "usage":null}, for every chunk but the last when {@code include_usage} is set. */
    @Override
    public ChatCompletionChunk withNullUsage() {
        return new ChatCompletionChunk(id, created, model, choices, Optional.empty());
    }

    private static ChatCompletionChunk of(String id, long created, String model, Delta delta, String finishReason) {
        return new ChatCompletionChunk(id, created, model, List.of(new Choice(0, delta, finishReason)), null);
    }
}
