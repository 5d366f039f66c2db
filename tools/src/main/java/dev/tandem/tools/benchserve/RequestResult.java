package dev.tandem.tools.benchserve;

import java.util.List;

/**
 * One request as the client saw it. Times in seconds from the request's start; {@code chunkTimes} are the arrival
 * times of the chunks that carried text (the first is the TTFT). Token counts come from the server's usage report
 * when it sends one, else one per text chunk.
 */
record RequestResult(boolean success, String error, double startSeconds, double ttft, double e2el,
        List<Double> chunkTimes, int promptTokens, int outputTokens) {

    static RequestResult failed(double startSeconds, double e2el, String error) {
        return new RequestResult(false, error, startSeconds, 0, e2el, List.of(), 0, 0);
    }

    /** Gaps between consecutive text chunks (vLLM's ITL), in seconds. */
    List<Double> interTokenLatencies() {
        return java.util.stream.IntStream.range(1, chunkTimes.size())
                .mapToObj(i -> chunkTimes.get(i) - chunkTimes.get(i - 1)).toList();
    }

    /** Time per output token after the first, in seconds; NaN for a request of fewer than two tokens. */
    double tpot() {
        return outputTokens > 1 ? (e2el - ttft) / (outputTokens - 1) : Double.NaN;
    }
}
