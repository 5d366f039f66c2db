package dev.tandem.frontend.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code DYN_LOGGING_JSONL=true} in frontend, prefill and decode, each its own process: every log line is one
 * JSON object with Dynamo's keys in Dynamo's order, and the lines one request logs in the three processes share
 * its {@code trace_id} and {@code x_request_id}. The handlers' per-request lines are DEBUG, turned on per category
 * through {@code DYN_LOG}.
 */
class JsonLogsIT {

    private static final String REQUEST_ID = "test-trace-001";
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final List<String> HEAD = List.of("time", "level", "file", "line", "target", "message");
    /** What the JVM itself prints on stderr, before any logging. */
    private static final String JVM_NOTICE = "WARNING: Using incubator modules";
    private static final String INIT_LINE = "OpenTelemetry OTLP export disabled, traces local only";

    private static final ServiceProcesses processes = new ServiceProcesses();

    @BeforeAll
    static void startCluster() {
        var shared = Golden.sharedDir();
        Assumptions.assumeTrue(shared.isPresent(), "../shared not found: skipping the end-to-end suite");
        String model = shared.get().resolve("models/stories260K.gguf").toString();
        Map<String, String> env = new HashMap<>(Map.of(
                "TANDEM_MODEL", model,
                "DYN_LOGGING_JSONL", "true",
                "DYN_LOG", "info,dev.tandem.frontend.generation=debug,dev.tandem.frontend.workers=debug,dev.tandem.prefill.grpc=debug,"
                        + "dev.tandem.decode.grpc=debug"));
        ServiceProcess prefill = processes.start("jsonl-prefill", "prefill-service", env);
        ServiceProcess decode = processes.start("jsonl-decode", "decode-service", env);
        env.put("TANDEM_PREFILL_WORKERS", prefill.address());
        env.put("TANDEM_DECODE_WORKERS", decode.address());
        ServiceProcess frontend = processes.start("jsonl-frontend", "frontend-service", env);
        for (ServiceProcess process : processes) {
            process.awaitHealthy(STARTUP);
        }
        OpenAiClient client = new OpenAiClient(frontend);
        String body = "{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":4,\"temperature\":0}";
        // until the frontend has seen both workers reachable, then the request whose lines are checked
        Waits.within(Duration.ofSeconds(30), Duration.ofMillis(300),
                () -> client.post("/v1/completions", body, "warm-up").status() == 200);
        assertEquals(200, client.post("/v1/completions", body, REQUEST_ID).status());
        // each process writes the request's lines as it goes: until all three have
        for (ServiceProcess process : processes) {
            Waits.within(Duration.ofSeconds(10), Duration.ofMillis(100), () -> !requestLines(process).isEmpty());
        }
    }

    @AfterAll
    static void stopCluster() {
        processes.stopAll();
    }

    private static JsonNode parse(ServiceProcess process, String line) {
        try {
            return OpenAiClient.JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new AssertionError(process.name + ": not a JSON line: " + line, e);
        }
    }

    private static List<JsonNode> jsonLines(ServiceProcess process) {
        return process.logLines().stream().filter(line -> !line.startsWith(JVM_NOTICE))
                .map(line -> parse(process, line)).toList();
    }

    private static List<JsonNode> requestLines(ServiceProcess process) {
        return jsonLines(process).stream()
                .filter(line -> REQUEST_ID.equals(line.path("x_request_id").asText(null))).toList();
    }

    private static List<String> keys(JsonNode line) {
        List<String> keys = new ArrayList<>();
        line.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @Test
    void everyLineIsOneJsonObject() {
        for (ServiceProcess process : processes) {
            List<JsonNode> lines = jsonLines(process);
            assertFalse(lines.isEmpty(), process.name);
            lines.forEach(line -> assertTrue(line.isObject(), process.name + ": " + line));
        }
    }

    @Test
    void linesHaveDynamosKeysInOrder() {
        for (ServiceProcess process : processes) {
            List<JsonNode> lines = jsonLines(process);
            int init = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (INIT_LINE.equals(lines.get(i).path("message").asText())) {
                    init = i;
                }
            }
            assertTrue(init >= 0, process.name + " logged no init line");
            assertTrue(lines.get(init).path("service").asText().startsWith("dynamo-"), lines.get(init).toString());
            // every line, Quarkus' first startup lines included, has Dynamo's format
            for (JsonNode line : lines) {
                List<String> keys = keys(line);
                List<String> head = new ArrayList<>(HEAD);
                if (!line.has("file")) {
                    head.removeAll(List.of("file", "line"));
                } else if (!line.has("line")) {
                    head.remove("line");
                }
                assertEquals(head, keys.subList(0, head.size()), process.name + ": " + line);
                List<String> rest = keys.subList(head.size(), keys.size());
                assertEquals(new ArrayList<>(new TreeSet<>(rest)), rest, process.name + ": " + line);
                assertTrue(line.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"),
                        line.toString());
                assertTrue(Set.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(line.get("level").asText()),
                        line.toString());
            }
        }
    }

    @Test
    void oneRequestsLinesShareItsTraceIdAndRequestIdInAllThreeProcesses() {
        Map<String, List<JsonNode>> byProcess = new LinkedHashMap<>();
        for (ServiceProcess process : processes) {
            List<JsonNode> lines = requestLines(process);
            assertFalse(lines.isEmpty(), process.name + " logged nothing with x_request_id " + REQUEST_ID);
            byProcess.put(process.name, lines);
        }
        String traceId = byProcess.get("jsonl-frontend").getFirst().path("trace_id").asText();
        assertTrue(traceId.matches("[0-9a-f]{32}"), traceId);
        byProcess.forEach((name, lines) -> lines.forEach(line -> {
            assertEquals(traceId, line.path("trace_id").asText(), name + ": " + line);
            assertTrue(line.path("span_id").asText().matches("[0-9a-f]{16}"), name + ": " + line);
        }));
        // the workers' lines are in spans whose parent is the frontend's client span
        for (String worker : List.of("jsonl-prefill", "jsonl-decode")) {
            assertTrue(byProcess.get(worker).stream().allMatch(line -> line.path("parent_id").asText().matches("[0-9a-f]{16}")),
                    worker + ": " + byProcess.get(worker));
        }
        // the frontend's line after the prefill answer (a gRPC executor thread) kept the request's context
        assertTrue(byProcess.get("jsonl-frontend").stream()
                .anyMatch(line -> line.path("message").asText().equals("decode worker selected")),
                byProcess.get("jsonl-frontend").toString());
    }
}
