package dev.tandem.frontend.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Just enough of an OpenAI client over plain HTTP to check what a real one would see. */
final class OpenAiClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    record Reply(int status, JsonNode body, HttpResponse<?> raw) {
    }

    /** A streamed reply: the {@code data:} payloads in order, {@code [DONE]} included. */
    record Stream(int status, List<String> events) {

        List<JsonNode> chunks() {
            return events.stream().filter(e -> !e.equals("[DONE]")).map(OpenAiClient::parse).toList();
        }

        String text() {
            StringBuilder text = new StringBuilder();
            for (JsonNode chunk : chunks()) {
                for (JsonNode choice : chunk.path("choices")) {
                    JsonNode piece = choice.has("delta") ? choice.path("delta").path("content") : choice.path("text");
                    if (piece.isTextual()) {
                        text.append(piece.asText());
                    }
                }
            }
            return text.toString();
        }
    }

    private final String baseUrl;

    OpenAiClient(ServiceProcess frontend) {
        this.baseUrl = frontend.url("");
    }

    Reply post(String path, String body) {
        return post(path, body, Map.of());
    }

    Reply post(String path, String body, String xRequestId) {
        return post(path, body, xRequestId == null ? Map.of() : Map.of("x-request-id", xRequestId));
    }

    Reply post(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        HttpResponse<String> response = send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), parse(response.body()), response);
    }

    Reply get(String path) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(baseUrl + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), parse(response.body()), response);
    }

    Stream stream(String path, String body) {
        HttpResponse<InputStream> response = open(path, body);
        List<String> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null;) {
                if (line.startsWith("data: ")) {
                    events.add(line.substring("data: ".length()));
                } else if (!line.isEmpty()) {
                    throw new AssertionError("not an SSE data line: '" + line + "'");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Stream(response.statusCode(), events);
    }

    /** Reads {@code events} data lines of a stream, then drops the connection as a client that goes away. */
    int streamThenDisconnect(String path, String body, int events) {
        HttpResponse<InputStream> response = open(path, body);
        int read = 0;
        try (InputStream in = response.body()) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; read < events && (line = reader.readLine()) != null;) {
                if (line.startsWith("data: ")) {
                    read++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return read;
    }

    private HttpResponse<InputStream> open(String path, String body) {
        // A client of its own: closing the stream early must close its connection, not return it to a pool.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return HTTP.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String json) {
        try {
            return json == null || json.isBlank() ? JSON.nullNode() : JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
