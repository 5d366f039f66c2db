package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** A non-streaming text completion ({@code "object":"text_completion"}). */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "object", "created", "model", "choices", "usage"})
public record CompletionResponse(String id, long created, String model, List<Choice> choices, Usage usage) {

    /** One completion choice; streamed chunks carry the same shape. */
    @RegisterForReflection
    @JsonPropertyOrder({"index", "text", "logprobs", "finish_reason"})
    public record Choice(
            int index,
            String text,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("finish_reason") String finishReason,
            /** {@link Logprobs}' chat or completions shape; null (written as null) when none were asked for. */
            @JsonInclude(JsonInclude.Include.ALWAYS) Object logprobs) {

        public Choice(int index, String text, String finishReason) {
            this(index, text, finishReason, null);
        }
    }

    @JsonProperty(value = "object", access = JsonProperty.Access.READ_ONLY)
    public String object() {
        return "text_completion";
    }

    public static CompletionResponse of(String id, long created, String model, String text, String finishReason,
            Usage usage) {
        return new CompletionResponse(id, created, model, List.of(new Choice(0, text, finishReason)), usage);
    }
}
