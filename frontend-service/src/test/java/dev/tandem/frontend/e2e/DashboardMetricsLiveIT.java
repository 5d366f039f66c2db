package dev.tandem.frontend.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.tandem.frontend.observability.ObservabilityStack;

/**
 * Every metric name the Grafana dashboard (docker/observability/grafana/dashboards/tandem.json) queries is one that
 * Tandem exports: frontend, prefill and decode worker as separate processes serve a few requests (one streamed to
 * the end, one unary, one whose client disconnects mid-stream), then their three {@code /metrics} are scraped and
 * each dashboard metric must appear as a series in at least one of them.
 *
 * <p>This needs the metrics of issue 4 (dynamo_frontend_* on the frontend, dynamo_component_* on the workers): on
 * a branch without them it fails, listing the names it did not find.
 */
class DashboardMetricsLiveIT {

    private static final String MODEL_FILE = "stories260K.gguf";
    private static final String MODEL = "stories260K";
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final ServiceProcesses processes = new ServiceProcesses();
    private static OpenAiClient frontend;

    @BeforeAll
    static void startCluster() {
        var shared = Golden.sharedDir();
        Assumptions.assumeTrue(shared.isPresent(), "../shared not found: skipping the live metrics check");
        Path model = shared.get().resolve("models/" + MODEL_FILE);
        Assumptions.assumeTrue(Files.isRegularFile(model), model + " not found: skipping the live metrics check");
        Map<String, String> env = Map.of("TANDEM_MODEL", model.toString());
        ServiceProcess prefill = processes.start("metrics-prefill", "prefill-service", env);
        ServiceProcess decode = processes.start("metrics-decode", "decode-service", env);
        prefill.awaitHealthy(STARTUP);
        decode.awaitHealthy(STARTUP);
        frontend = new OpenAiClient(processes.start("metrics-frontend", "frontend-service", Map.of(
                "TANDEM_MODEL", model.toString(),
                "TANDEM_PREFILL_WORKERS", prefill.address(),
                "TANDEM_DECODE_WORKERS", decode.address())).awaitHealthy(STARTUP));
    }

    @AfterAll
    static void stopCluster() {
        processes.stopAll();
    }

    @Test
    void everyDashboardMetricIsExported() {
        Set<String> wanted = ObservabilityStack.dashboardMetricNames();
        assertEquals(new TreeSet<>(ObservabilityStack.TANDEM_METRICS), wanted);

        String chat = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],"
                + "\"max_tokens\":16,\"temperature\":0,\"stream\":true}";
        OpenAiClient.Stream stream = frontend.stream("/v1/chat/completions", chat);
        assertEquals(200, stream.status());
        assertEquals("[DONE]", stream.events().getLast());
        OpenAiClient.Reply unary = frontend.post("/v1/completions", "{\"model\":\"" + MODEL
                + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":8,\"temperature\":0}", "metrics-live-1");
        assertEquals(200, unary.status(), unary.body().toString());
        // a client that goes away: the cancellation counter, and whatever the workers count for it
        frontend.streamThenDisconnect("/v1/completions", "{\"model\":\"" + MODEL
                + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":480,\"ignore_eos\":true,\"stream\":true}", 3);

        // metrics of finished work may be recorded just after the response: scrape until all are there
        Map<String, Set<String>> scraped = new LinkedHashMap<>();
        Set<String> missing = new TreeSet<>(wanted);
        Waits.within(Duration.ofSeconds(10), Duration.ofMillis(250), () -> {
            scraped.clear();
            for (ServiceProcess process : processes) {
                scraped.put(process.name, seriesNames(scrape(process)));
            }
            missing.clear();
            missing.addAll(wanted);
            scraped.values().forEach(missing::removeAll);
            return missing.isEmpty();
        });

        StringBuilder where = new StringBuilder();
        scraped.forEach((name, names) -> where.append("\n  ").append(name).append(": ")
                .append(names.stream().filter(n -> n.startsWith("dynamo_")).toList()));
        assertTrue(missing.isEmpty(), "the dashboard queries metrics that no Tandem service exports: " + missing
                + "\ndynamo_* series scraped:" + where);
        // Dynamo's per-worker gauges: from the workers' load reports and from the requests they served
        for (String gauge : List.of("active_decode_blocks", "active_prefill_tokens", "last_time_to_first_token_seconds",
                "last_input_sequence_tokens", "last_inter_token_latency_seconds")) {
            assertTrue(scraped.get("metrics-frontend").contains("dynamo_frontend_worker_" + gauge), gauge + where);
        }
        // the pipeline's stages, template and tokenizer timings
        String frontendText = scrape(processes.stream().filter(p -> p.name.equals("metrics-frontend")).findFirst().orElseThrow());
        for (String stage : List.of("preprocess", "route", "transport_roundtrip", "postprocess")) {
            assertTrue(frontendText.contains("dynamo_frontend_stage_duration_seconds_count{stage=\"" + stage + "\""), stage);
        }
        for (String series : List.of("dynamo_frontend_template_seconds_count", "dynamo_frontend_tokenize_seconds_count",
                "dynamo_frontend_detokenize_total_us", "dynamo_frontend_detokenize_token_count")) {
            assertTrue(scraped.get("metrics-frontend").contains(series), series + where);
        }
    }

    private static String scrape(ServiceProcess process) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(process.url("/metrics")))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), process.name + " /metrics");
            Path copy = ServiceProcess.projectDir().resolve("frontend-service/target/e2e-logs/" + process.name + ".metrics.txt");
            Files.writeString(copy, response.body());
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The series names of a Prometheus text exposition: each sample line's name, before its labels or value. */
    static Set<String> seriesNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            String sample = line.strip();
            if (sample.isEmpty() || sample.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < sample.length() && sample.charAt(end) != '{' && !Character.isWhitespace(sample.charAt(end))) {
                end++;
            }
            names.add(sample.substring(0, end));
        }
        return names;
    }
}
