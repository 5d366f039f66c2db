package dev.tandem.tools.benchserve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/** Runs the benchmark against a tiny in-process OpenAI-style server that streams max_tokens chunks. */
class BenchServeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/models", exchange -> {
            byte[] body = "{\"object\":\"list\",\"data\":[{\"id\":\"tiny\",\"object\":\"model\"}]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/v1/completions", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            requests.incrementAndGet();
            assertTrue(request.path("ignore_eos").asBoolean());
            assertTrue(request.path("stream").asBoolean());
            int tokens = request.path("max_tokens").asInt();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < tokens; i++) {
                    sleep(2);
                    out.write(("data: {\"choices\":[{\"index\":0,\"text\":\" t" + i + "\"}]}\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                out.write(("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":" + tokens + "}}\n\n"
                        + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void concurrencySweepReportsVllmKeys() throws Exception {
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        List<BenchReport> reports = BenchServe.runForTest("--base-url", url, "--concurrency", "1,3", "--num-prompts", "6",
                "--output-len", "4", "--input-len", "8", "--goodput", "ttft:5000", "tpot:5000");
        assertEquals(2, reports.size());
        assertEquals(12, requests.get());
        for (BenchReport report : reports) {
            JsonNode json = JSON.readTree(report.json());
            assertEquals(6, json.get("completed").asInt());
            assertEquals(0, json.get("failed").asInt());
            assertEquals(24, json.get("total_output_tokens").asInt());
            assertEquals(54, json.get("total_input_tokens").asInt());
            assertEquals("tiny", json.get("model_id").asText());
            for (String key : List.of("mean_ttft_ms", "median_ttft_ms", "p90_ttft_ms", "p99_ttft_ms", "mean_itl_ms",
                    "p99_itl_ms", "mean_tpot_ms", "mean_e2el_ms", "request_throughput", "output_throughput",
                    "request_goodput", "duration")) {
                assertTrue(json.has(key), key);
            }
            assertTrue(json.get("mean_itl_ms").asDouble() >= 1.5, report.json()); // the server waits 2 ms a token
            assertEquals(json.get("request_throughput").asDouble(), json.get("request_goodput").asDouble(), 1e-9);
            assertTrue(report.table().contains("Serving Benchmark Result"));
        }
        assertEquals(3, reports.get(1).values().get("max_concurrency"));
    }

    @Test
    void poissonArrivalsRunEveryPrompt() throws Exception {
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        List<BenchReport> reports = BenchServe.runForTest("--base-url", url, "--request-rate", "200", "--num-prompts", "8",
                "--output-len", "2", "--dataset", "shared-prefix", "--prefix-len", "4", "--input-len", "4");
        assertEquals(1, reports.size());
        assertEquals(8, reports.getFirst().values().get("completed"));
        assertEquals(200.0, reports.getFirst().values().get("request_rate"));
    }
}
