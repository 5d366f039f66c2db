package dev.tandem.frontend.generation;

import java.util.List;

import dev.tandem.protocol.grpc.SamplingParams;

/**
 * A validated request, tokenized and ready for the workers. {@code logprobs}: null for none, else the top entries
 * each token comes with; {@code n}: the choices to generate.
 */
public record PreparedRequest(String requestId, String model, int[] promptTokens, SamplingParams sampling,
        List<String> stop, boolean stream, boolean includeUsage, Integer logprobs, int n) {

    public PreparedRequest(String requestId, String model, int[] promptTokens, SamplingParams sampling,
            List<String> stop, boolean stream, boolean includeUsage) {
        this(requestId, model, promptTokens, sampling, stop, stream, includeUsage, null, 1);
    }
}
