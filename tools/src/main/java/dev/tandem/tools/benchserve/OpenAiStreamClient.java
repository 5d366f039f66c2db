package dev.tandem.tools.benchserve;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Streams one completion from an OpenAI-compatible server ({@code /v1/completions} or {@code /v1/chat/completions})
 * and times it: TTFT at the first chunk that carries text, then each later text chunk. Asks for {@code ignore_eos}
 * and a usage report ({@code stream_options.include_usage}), so output lengths are what {@code max_tokens} says and
 * the token counts are the server's. Safe to use from many threads at once.
 */
final class OpenAiStreamClient {

    enum Api {
        COMPLETIONS("/v1/completions"), CHAT("/v1/chat/completions");

        final String path;

        Api(String path) {
            this.path = path;
        }

        static Api parse(String value) {
            return switch (value) {
                case "completions", "/v1/completions" -> COMPLETIONS;
                case "chat", "chat/completions", "/v1/chat/completions" -> CHAT;
                default -> throw new IllegalArgumentException("--endpoint is completions or chat, not '" + value + "'");
            };
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI uri;
    private final Api api;
    private final String model;
    private final String apiKey;
    private final Duration timeout;

    OpenAiStreamClient(String baseUrl, Api api, String model, String apiKey, Duration timeout) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        this.uri = URI.create(stripSlash(baseUrl) + api.path);
        this.api = api;
        this.model = model;
        this.apiKey = apiKey;
        this.timeout = timeout;
    }

    /** The first model a server lists at {@code GET /v1/models}. */
    static String firstModel(String baseUrl, String apiKey) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stripSlash(baseUrl) + "/v1/models")).timeout(Duration.ofSeconds(30));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /v1/models answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode data = JSON.readTree(response.body()).path("data");
        if (!data.isArray() || data.isEmpty()) {
            throw new IOException("GET /v1/models lists no model: " + response.body());
        }
        return data.get(0).path("id").asText();
    }

    String body(String prompt, int maxTokens) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        if (api == Api.CHAT) {
            body.put("messages", List.of(Map.of("role", "user", "content", prompt)));
            body.put("max_completion_tokens", maxTokens);
        } else {
            body.put("prompt", prompt);
        }
        body.put("max_tokens", maxTokens);
        body.put("temperature", 0);
        body.put("ignore_eos", true);
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one request; never throws for what the server does (a failure is a failed result). */
    RequestResult run(String prompt, int maxTokens, long benchStartNanos) {
        long start = System.nanoTime();
        double startSeconds = (start - benchStartNanos) / 1e9;
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(prompt, maxTokens)));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> lines = response.body()) {
                if (response.statusCode() != 200) {
                    String text = String.join("\n", lines.limit(20).toList());
                    return RequestResult.failed(startSeconds, seconds(start), "HTTP " + response.statusCode() + ": " + text);
                }
                return read(lines.iterator(), start, startSeconds);
            }
        } catch (IOException | RuntimeException e) {
            return RequestResult.failed(startSeconds, seconds(start), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RequestResult.failed(startSeconds, seconds(start), "interrupted");
        }
    }

    /** Reads an SSE body to its {@code [DONE]} (or end), timing the chunks that carry text. */
    RequestResult read(Iterator<String> lines, long start, double startSeconds) throws IOException {
        SseParser sse = new SseParser();
        List<Double> chunkTimes = new ArrayList<>();
        int promptTokens = -1;
        int completionTokens = -1;
        double firstChoiceAt = -1;
        boolean done = false;
        while (!done) {
            String event;
            if (lines.hasNext()) {
                event = sse.feed(lines.next());
            } else {
                event = sse.flush();
                done = true;
            }
            if (event == null) {
                continue;
            }
            if (event.equals("[DONE]")) {
                break;
            }
            double now = seconds(start);
            JsonNode chunk = JSON.readTree(event);
            if (chunk.has("error")) {
                return RequestResult.failed(startSeconds, now, "error in stream: " + chunk.get("error"));
            }
            JsonNode usage = chunk.path("usage");
            if (usage.isObject()) {
                promptTokens = usage.path("prompt_tokens").asInt(promptTokens);
                completionTokens = usage.path("completion_tokens").asInt(completionTokens);
            }
            for (JsonNode choice : chunk.path("choices")) {
                if (firstChoiceAt < 0) {
                    firstChoiceAt = now;
                }
                String text = api == Api.CHAT ? choice.path("delta").path("content").asText("") : choice.path("text").asText("");
                if (!text.isEmpty()) {
                    chunkTimes.add(now);
                    break;
                }
            }
        }
        double e2el = seconds(start);
        if (chunkTimes.isEmpty() && firstChoiceAt >= 0 && completionTokens > 0) {
            // tokens that decode to no text yet (a random model's stray bytes): the first answer is the first token
            chunkTimes.add(firstChoiceAt);
        }
        if (chunkTimes.isEmpty()) {
            return RequestResult.failed(startSeconds, e2el, "the stream carried no text");
        }
        int outputTokens = completionTokens >= 0 ? completionTokens : chunkTimes.size();
        return new RequestResult(true, null, startSeconds, chunkTimes.getFirst(), e2el, List.copyOf(chunkTimes),
                Math.max(promptTokens, 0), outputTokens);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
