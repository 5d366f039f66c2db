package dev.tandem.frontend.generation;

import java.util.List;

import dev.tandem.protocol.grpc.SamplingParams;

/** A validated request, tokenized and ready for the workers. */
public record PreparedRequest(String requestId, String model, int[] promptTokens, SamplingParams sampling,
        List<String> stop, boolean stream, boolean includeUsage) {
}
