package dev.tandem.frontend.api;

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
    };

    /** The response id of a request: {@code chatcmpl-<request_id>} or {@code cmpl-<request_id>}. */
    abstract String id(String requestId);

    abstract StreamChunk opening(String id, long created, String model);

    abstract StreamChunk content(String id, long created, String model, String text);

    abstract StreamChunk finish(String id, long created, String model, String reason);

    abstract StreamChunk usage(String id, long created, String model, Usage usage);

    abstract Object whole(String id, long created, String model, String text, String reason, Usage usage);
}
