package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Optional;

/**
 * One streamed text-completion event. OpenAI names streamed chunks {@code "text_completion"} like
 * the full response. {@code usage} is three-state exactly as in {@link ChatCompletionChunk}.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "object", "created", "model", "choices", "usage"})
public record CompletionChunk(String id, long created, String model, List<CompletionResponse.Choice> choices,
        Optional<Usage> usage) implements StreamChunk {

    @JsonProperty(value = "object", access = JsonProperty.Access.READ_ONLY)
    public String object() {
        return "text_completion";
    }

    public static CompletionChunk text(String id, long created, String model, String text) {
        return of(id, created, model, text, null);
    }

    public static CompletionChunk finish(String id, long created, String model, String finishReason) {
        return of(id, created, model, "", finishReason);
    }

    /** The extra chunk after the finish chunk when {@code include_usage} is set: no choices, just usage. */
    public static CompletionChunk usage(String id, long created, String model, Usage usage) {
        return new CompletionChunk(id, created, model, List.of(), Optional.of(usage));
    }

    /** This chunk with {@code "usage":null}, for every chunk but the last when {@code include_usage} is set. */
    @Override
    public CompletionChunk withNullUsage() {
        return new CompletionChunk(id, created, model, choices, Optional.empty());
    }

    private static CompletionChunk of(String id, long created, String model, String text, String finishReason) {
        return new CompletionChunk(id, created, model, List.of(new CompletionResponse.Choice(0, text, finishReason)),
                null);
    }
}
