package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** A non-streaming chat completion ({@code "object":"chat.completion"}). */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "object", "created", "model", "choices", "usage"})
public record ChatCompletionResponse(String id, long created, String model, List<Choice> choices, Usage usage) {

    @RegisterForReflection
    @JsonPropertyOrder({"index", "message", "logprobs", "finish_reason"})
    public record Choice(
            int index,
            Message message,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("finish_reason") String finishReason,
            /** {@link Logprobs}' chat or completions shape; null (written as null) when none were asked for. */
            @JsonInclude(JsonInclude.Include.ALWAYS) Object logprobs) {

        public Choice(int index, Message message, String finishReason) {
            this(index, message, finishReason, null);
        }
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Message(String role, String content,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("tool_calls") List<ToolCall> toolCalls) {

        public Message(String role, String content) {
            this(role, content, null);
        }
    }

    @JsonProperty(value = "object", access = JsonProperty.Access.READ_ONLY)
    public String object() {
        return "chat.completion";
    }

    public static ChatCompletionResponse of(String id, long created, String model, String content,
            String finishReason, Usage usage) {
        return new ChatCompletionResponse(id, created, model,
                List.of(new Choice(0, new Message("assistant", content), finishReason)), usage);
    }

    /** A reply with tool calls: {@code content} is null when the model wrote nothing else. */
    public static ChatCompletionResponse ofToolCalls(String id, long created, String model, String content,
            List<ToolCall> calls, String finishReason, Usage usage) {
        return new ChatCompletionResponse(id, created, model,
                List.of(new Choice(0, new Message("assistant", content, calls), finishReason)), usage);
    }
}
