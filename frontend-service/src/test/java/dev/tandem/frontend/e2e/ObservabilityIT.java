package dev.tandem.frontend.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tandem.frontend.e2e.OtlpReceiver.ExportedLog;
import dev.tandem.frontend.e2e.OtlpReceiver.ExportedSpan;

/**
 * Dynamo's observability contract across real processes: frontend, prefill and decode export their spans and log
 * records over OTLP/gRPC to a receiver in the test, and a real Prometheus scrapes their {@code /metrics}. One
 * disaggregated cluster for the whole class, with export on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration EXPORTED = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String TRACE_REQUEST_ID = "test-trace-001";
    private static final String PARENTED_REQUEST_ID = "test-trace-002";
    private static final String INBOUND_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String INBOUND_PARENT_ID = "00f067aa0ba902b7";

    private static final ServiceProcesses processes = new ServiceProcesses();
    private static OtlpReceiver otlp;
    private static ServiceProcess prefill;
    private static ServiceProcess decode;
    private static ServiceProcess frontend;
    private static String model;
    /** Successful inference requests this class has made, for the PromQL check. */
    private static int completedRequests;

    @BeforeAll
    static void startCluster() {
        otlp = OtlpReceiver.start();
        Map<String, String> env = new HashMap<>(Map.of(
                "OTEL_EXPORT_ENABLED", "true",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", otlp.endpoint(),
                // export at once rather than every few seconds
                "QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "100ms",
                "QUARKUS_OTEL_BLRP_SCHEDULE_DELAY", "100ms"));
        // stories260K where the shared data is present (fast); otherwise the built-in synthetic model
        Optional<Path> shared = Golden.sharedDir();
        shared.map(dir -> dir.resolve("models/stories260K.gguf")).filter(Files::exists)
                .ifPresent(file -> env.put("TANDEM_MODEL", file.toString()));
        prefill = processes.start("obs-prefill", "prefill-service", env);
        decode = processes.start("obs-decode", "decode-service", env);
        prefill.awaitHealthy(STARTUP);
        decode.awaitHealthy(STARTUP);
        Map<String, String> frontendEnv = new HashMap<>(env);
        frontendEnv.put("TANDEM_PREFILL_WORKERS", prefill.address());
        frontendEnv.put("TANDEM_DECODE_WORKERS", decode.address());
        frontend = processes.start("obs-frontend", "frontend-service", frontendEnv).awaitHealthy(STARTUP);
        model = get(frontend.url("/v1/models")).path("data").path(0).path("id").asText();
    }

    @AfterAll
    static void stopCluster() {
        processes.stopAll();
        if (otlp != null) {
            otlp.close();
        }
    }

    @Test
    @Order(1)
    void oneTraceAcrossTheThreeProcesses() {
        HttpResponse<String> response = chat(TRACE_REQUEST_ID, Map.of());
        assertEquals(200, response.statusCode(), response.body());
        completedRequests++;

        ExportedSpan root = await(() -> otlp.spans().stream()
                .filter(s -> s.name().equals("http-request") && TRACE_REQUEST_ID.equals(s.attribute("x_request_id"))
                        && s.attribute("output_tokens") != null)
                .findFirst(), "the frontend's http-request span");
        String traceId = root.traceId();
        List<ExportedSpan> trace = await(() -> {
            List<ExportedSpan> spans = otlp.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
            long payloads = spans.stream().filter(s -> s.name().equals("handle_payload")).count();
            return payloads >= 2 ? Optional.of(spans) : Optional.empty();
        }, "both workers' handle_payload spans in trace " + traceId);
        String tree = trace.stream().map(s -> s.service() + " " + s.name() + " " + s.spanId() + " <- " + s.parentSpanId())
                .collect(Collectors.joining("\n"));
        System.out.println("Trace " + traceId + ":\n" + trace.stream().map(ExportedSpan::toString)
                .collect(Collectors.joining("\n")));

        // the root, in the frontend
        assertEquals("dynamo-frontend", root.service());
        assertEquals("", root.parentSpanId(), "http-request is the root:\n" + tree);
        assertEquals("POST", root.attribute("method"));
        assertEquals("/v1/chat/completions", root.attribute("uri"));
        assertEquals("HTTP/1.1", root.attribute("version"));
        assertNotNull(root.attribute("request_id"));
        assertEquals(model.toLowerCase(), root.attribute("model"));
        assertTrue(Integer.parseInt(root.attribute("input_tokens")) > 0, root.attributes().toString());
        assertEquals("3", root.attribute("output_tokens"), root.attributes().toString());
        assertTrue(root.attribute("ttft_ms").matches("\\d+\\.\\d{2}"), root.attributes().toString());
        assertTrue(root.attribute("avg_itl_ms").matches("\\d+\\.\\d{2}"), root.attributes().toString());
        assertNotNull(root.attribute("prefill_worker_id"), root.attributes().toString());
        assertNotNull(root.attribute("decode_worker_id"), root.attributes().toString());

        // prefill_routing under it, and the prefill worker's handle_payload under that, through gRPC metadata
        ExportedSpan routing = only(trace, s -> s.name().equals("prefill_routing"), tree);
        assertEquals("dynamo-frontend", routing.service());
        assertEquals(root.spanId(), routing.parentSpanId(), tree);
        ExportedSpan prefillPayload = only(trace, s -> s.name().equals("handle_payload")
                && s.service().equals("dynamo-worker-prefill"), tree);
        assertEquals("prefill", prefillPayload.attribute("component"));
        assertEquals("generate", prefillPayload.attribute("endpoint"));
        assertEquals("dynamo", prefillPayload.attribute("namespace"));
        assertEquals(root.attribute("prefill_worker_id"), prefillPayload.attribute("instance_id"));
        assertTrue(ancestors(prefillPayload, trace).contains(routing.spanId()), tree);

        // the decode worker's handle_payload under the root (not under prefill_routing), serving transferred KV
        ExportedSpan decodePayload = only(trace, s -> s.name().equals("handle_payload")
                && s.service().equals("dynamo-worker-decode"), tree);
        assertEquals("decode", decodePayload.attribute("component"));
        assertEquals("generate", decodePayload.attribute("endpoint"));
        assertEquals(root.attribute("decode_worker_id"), decodePayload.attribute("instance_id"));
        List<String> decodeAncestors = ancestors(decodePayload, trace);
        assertTrue(decodeAncestors.contains(root.spanId()), tree);
        assertFalse(decodeAncestors.contains(routing.spanId()), tree);

        // every span of the request carries its x-request-id and Dynamo's busy/idle split
        for (ExportedSpan span : trace) {
            assertEquals(TRACE_REQUEST_ID, span.attribute("x_request_id"), span + "\n" + tree);
            assertNotNull(span.attribute("busy_ns"), span.toString());
            assertNotNull(span.attribute("idle_ns"), span.toString());
        }
        assertEquals(Set.of("dynamo-frontend", "dynamo-worker-prefill", "dynamo-worker-decode"),
                trace.stream().map(ExportedSpan::service).collect(Collectors.toSet()));

        // log records too, with the request's trace context, from all three
        List<ExportedLog> logs = await(() -> {
            List<ExportedLog> inTrace = otlp.logs().stream().filter(l -> l.traceId().equals(traceId)).toList();
            Set<String> services = inTrace.stream().map(ExportedLog::service).collect(Collectors.toSet());
            return services.size() == 3 && inTrace.stream().anyMatch(l -> l.body().equals("request completed")
                    && l.service().equals("dynamo-frontend")) ? Optional.of(inTrace) : Optional.empty();
        }, "log records of trace " + traceId + " from the three services");
        assertTrue(logs.stream().anyMatch(l -> l.service().equals("dynamo-frontend") && l.body().equals("request received")
                && TRACE_REQUEST_ID.equals(l.attributes().get("x_request_id"))), logs.toString());
        assertTrue(logs.stream().anyMatch(l -> l.service().equals("dynamo-worker-prefill") && l.body().equals("request received")),
                logs.toString());
        assertTrue(logs.stream().anyMatch(l -> l.service().equals("dynamo-worker-decode") && l.body().equals("request completed")),
                logs.toString());
    }

    @Test
    @Order(2)
    void anInboundTraceparentIsHonoured() {
        HttpResponse<String> response = chat(PARENTED_REQUEST_ID,
                Map.of("traceparent", "00-" + INBOUND_TRACE_ID + "-" + INBOUND_PARENT_ID + "-01"));
        assertEquals(200, response.statusCode(), response.body());
        completedRequests++;
        ExportedSpan root = await(() -> otlp.spans().stream()
                .filter(s -> s.name().equals("http-request") && PARENTED_REQUEST_ID.equals(s.attribute("x_request_id")))
                .findFirst(), "the http-request span of " + PARENTED_REQUEST_ID);
        assertEquals(INBOUND_TRACE_ID, root.traceId());
        assertEquals(INBOUND_PARENT_ID, root.parentSpanId());
        await(() -> otlp.spans().stream().filter(s -> s.traceId().equals(INBOUND_TRACE_ID)
                && s.name().equals("handle_payload") && s.service().equals("dynamo-worker-decode")).findFirst(),
                "the decode worker's span in the inbound trace");
    }

    @Test
    @Order(3)
    void theSeedsMetricChecksHold() {
        // curl -s localhost:8000/metrics | grep dynamo_frontend_requests_total
        assertTrue(text(frontend.url("/metrics")).contains("dynamo_frontend_requests_total"));
        // curl -s localhost:8081/metrics | grep dynamo_component_uptime_seconds
        assertTrue(text(prefill.url("/metrics")).contains("dynamo_component_uptime_seconds"));
        assertTrue(text(decode.url("/metrics")).contains("dynamo_component_uptime_seconds"));
        String worker = text(decode.url("/metrics"));
        for (String name : List.of("dynamo_component_requests_total", "dynamo_component_inflight_requests",
                "dynamo_component_request_duration_seconds_bucket", "dynamo_component_request_bytes_total",
                "dynamo_component_response_bytes_total", "dynamo_component_errors_total", "dynamo_component_cancellation_total",
                "dynamo_component_total_blocks", "dynamo_component_gpu_cache_usage_percent",
                "dynamo_component_kvstats_active_blocks", "dynamo_component_kvstats_total_blocks",
                "dynamo_component_kvstats_gpu_cache_usage_percent", "dynamo_component_kv_transfer_bytes_total")) {
            assertTrue(worker.contains(name + "{"), name + " missing from the decode worker's scrape");
        }
        assertTrue(worker.contains("dynamo_component=\"backend\""), worker);
        assertTrue(text(prefill.url("/metrics")).contains("dynamo_component=\"prefill\""));
    }

    @Test
    @Order(4)
    void prometheusScrapesTheThreeServices() throws Exception {
        Optional<Path> binary = Optional.ofNullable(System.getenv("PATH")).stream()
                .flatMap(path -> List.of(path.split(":")).stream()).map(dir -> Path.of(dir, "prometheus"))
                .filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(binary.isPresent(),
                "prometheus is not installed (apt-get install -y prometheus): skipping the scrape check");
        Path dir = ServiceProcess.projectDir().resolve("frontend-service/target/e2e-prometheus");
        deleteRecursively(dir);
        Files.createDirectories(dir);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: dynamo-frontend
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                  - job_name: dynamo-workers
                    static_configs:
                      - targets: ['127.0.0.1:%d', '127.0.0.1:%d']
                """.formatted(frontend.port, prefill.port, decode.port));
        int port = ServiceProcess.freePort();
        Process prometheus = new ProcessBuilder(binary.get().toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            String base = "http://127.0.0.1:" + port;
            JsonNode up = await(() -> {
                JsonNode result = query(base, "up == 1");
                return result != null && result.size() == 3 ? Optional.of(result) : Optional.empty();
            }, "Prometheus scraping the three targets (see " + dir.resolve("prometheus.log") + ")");
            assertEquals(3, up.size());
            JsonNode requests = await(() -> {
                JsonNode result = query(base, "sum(dynamo_frontend_requests_total{status=\"success\"})");
                return result != null && result.size() == 1 ? Optional.of(result) : Optional.empty();
            }, "dynamo_frontend_requests_total in Prometheus");
            assertEquals(completedRequests, (int) Double.parseDouble(requests.path(0).path("value").path(1).asText()));
            JsonNode uptime = query(base, "dynamo_component_uptime_seconds");
            assertEquals(3, uptime.size(), uptime.toString());
            JsonNode workerRequests = query(base, "sum by (dynamo_component) (dynamo_component_requests_total)");
            assertEquals(2, workerRequests.size(), workerRequests.toString());
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    private static HttpResponse<String> chat(String requestId, Map<String, String> headers) {
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],"
                + "\"max_tokens\":3,\"temperature\":0,\"stream\":true}";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(frontend.url("/v1/chat/completions")))
                .header("Content-Type", "application/json").header("x-request-id", requestId)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode query(String base, String promql) {
        try {
            JsonNode reply = OpenAiClient.JSON.readTree(text(base + "/api/v1/query?query="
                    + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
            return "success".equals(reply.path("status").asText()) ? reply.path("data").path("result") : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static JsonNode get(String url) {
        try {
            return OpenAiClient.JSON.readTree(text(url));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException(url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static <T> T await(Supplier<Optional<T>> probe, String what) {
        AtomicReference<T> found = new AtomicReference<>();
        if (!Waits.within(EXPORTED, Duration.ofMillis(200), () -> probe.get().map(value -> {
            found.set(value);
            return true;
        }).orElse(false))) {
            throw new AssertionError("Timed out waiting for " + what + "; spans received: " + otlp.spans().stream()
                    .map(s -> s.service() + "/" + s.name() + "/" + s.attribute("x_request_id")).toList());
        }
        return found.get();
    }

    private static ExportedSpan only(List<ExportedSpan> spans, java.util.function.Predicate<ExportedSpan> which, String tree) {
        List<ExportedSpan> matching = spans.stream().filter(which).toList();
        assertEquals(1, matching.size(), tree);
        return matching.getFirst();
    }

    /** Span ids from a span's parent up to the root, within one trace. */
    private static List<String> ancestors(ExportedSpan span, List<ExportedSpan> trace) {
        Map<String, ExportedSpan> byId = trace.stream().collect(Collectors.toMap(ExportedSpan::spanId, s -> s, (a, b) -> a));
        List<String> out = new ArrayList<>();
        for (ExportedSpan at = byId.get(span.parentSpanId()); at != null; at = byId.get(at.parentSpanId())) {
            out.add(at.spanId());
        }
        return out;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
