package dev.tandem.frontend.api;

import java.util.List;

import dev.tandem.frontend.generation.TextDelta;
import dev.tandem.frontend.openai.ChatCompletionChunk;
import dev.tandem.frontend.openai.ChatCompletionResponse;
import dev.tandem.frontend.openai.CompletionChunk;
import dev.tandem.frontend.openai.CompletionResponse;
import dev.tandem.frontend.openai.ResponseIds;
import dev.tandem.frontend.openai.StreamChunk;
import dev.tandem.frontend.openai.Usage;

/** Where chat completions and text completions differ on the wire; everything else they share. */
enum ResponseShape {

    CHAT {
        @Override
        String id(String requestId) {
            return ResponseIds.chat(requestId);
        }

        @Override
        StreamChunk opening(String id, long created, String model) {
            return ChatCompletionChunk.role(id, created, model);
        }

        @Override
        StreamChunk content(String id, long created, String model, String text) {
            return ChatCompletionChunk.content(id, created, model, text);
        }

        @Override
        StreamChunk finish(String id, long created, String model, String reason) {
            return ChatCompletionChunk.finish(id, created, model, reason);
        }

        @Override
        StreamChunk usage(String id, long created, String model, Usage usage) {
            return ChatCompletionChunk.usage(id, created, model, usage);
        }

        @Override
        Object whole(String id, long created, String model, String text, String reason, Usage usage) {
            return ChatCompletionResponse.of(id, created, model, text, reason, usage);
        }

        @Override
        StreamChunk opening(String id, long created, String model, int index) {
            return new ChatCompletionChunk(id, created, model, List.of(new ChatCompletionChunk.Choice(index,
                    new ChatCompletionChunk.Delta("assistant", ""), null)), null);
        }

        @Override
        StreamChunk choice(String id, long created, String model, int index, String text, Object logprobs, String reason) {
            return new ChatCompletionChunk(id, created, model, List.of(new ChatCompletionChunk.Choice(index,
                    new ChatCompletionChunk.Delta(null, reason != null && text.isEmpty() ? null : text), reason, logprobs)),
                    null);
        }

        @Override
        Object logprobs(LogprobsMapping mapping, List<TextDelta.Token> tokens, int offset) {
            return mapping.chat(tokens);
        }

        @Override
        Object whole(String id, long created, String model, List<Choice> choices, Usage usage) {
            return new ChatCompletionResponse(id, created, model, choices.stream().map(c -> new ChatCompletionResponse.Choice(
                    c.index(), new ChatCompletionResponse.Message("assistant", c.text()), c.reason(), c.logprobs())).toList(),
                    usage);
        }
    },

    COMPLETION {
        @Override
        String id(String requestId) {
            return ResponseIds.completion(requestId);
        }

        @Override
        StreamChunk opening(String id, long created, String model) {
            return null; // text completions have no role chunk
        }

        @Override
        StreamChunk content(String id, long created, String model, String text) {
            return CompletionChunk.text(id, created, model, text);
        }

        @Override
        StreamChunk finish(String id, long created, String model, String reason) {
            return CompletionChunk.finish(id, created, model, reason);
        }

        @Override
        StreamChunk usage(String id, long created, String model, Usage usage) {
            return CompletionChunk.usage(id, created, model, usage);
        }

        @Override
        Object whole(String id, long created, String model, String text, String reason, Usage usage) {
            return CompletionResponse.of(id, created, model, text, reason, usage);
        }

        @Override
        StreamChunk opening(String id, long created, String model, int index) {
            return null;
        }

        @Override
        StreamChunk choice(String id, long created, String model, int index, String text, Object logprobs, String reason) {
            return new CompletionChunk(id, created, model,
                    List.of(new CompletionResponse.Choice(index, text, reason, logprobs)), null);
        }

        @Override
        Object logprobs(LogprobsMapping mapping, List<TextDelta.Token> tokens, int offset) {
            return mapping.completion(tokens, offset);
        }

        @Override
        Object whole(String id, long created, String model, List<Choice> choices, Usage usage) {
            return new CompletionResponse(id, created, model, choices.stream().map(c -> new CompletionResponse.Choice(
                    c.index(), c.text(), c.reason(), c.logprobs())).toList(), usage);
        }
    };

    /** One finished choice of a whole (not streamed) response; {@code logprobs} in the shape's form, or null. */
    record Choice(int index, String text, String reason, Object logprobs) {
    }

    /** The role chunk of choice {@code index}; null where the shape has none. */
    abstract StreamChunk opening(String id, long created, String model, int index);

    /** A chunk of choice {@code index}: new text, its tokens' logprobs (or null) and, on its last, the finish reason. */
    abstract StreamChunk choice(String id, long created, String model, int index, String text, Object logprobs,
            String reason);

    /**
     * The tokens' logprobs in the shape's form; null when they carry none.
     *
     * @param offset characters of the choice's text before the tokens (completions' {@code text_offset})
     */
    abstract Object logprobs(LogprobsMapping mapping, List<TextDelta.Token> tokens, int offset);

    abstract Object whole(String id, long created, String model, List<Choice> choices, Usage usage);

    /** The response id of a request: {@code chatcmpl-<request_id>} or {@code cmpl-<request_id>}. */
    abstract String id(String requestId);

    abstract StreamChunk opening(String id, long created, String model);

    abstract StreamChunk content(String id, long created, String model, String text);

    abstract StreamChunk finish(String id, long created, String model, String reason);

    abstract StreamChunk usage(String id, long created, String model, Usage usage);

    abstract Object whole(String id, long created, String model, String text, String reason, Usage usage);
}
