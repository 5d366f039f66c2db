package dev.tandem.frontend.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tandem.protocol.grpc.InfoRequest;
import dev.tandem.protocol.grpc.WorkerGrpc;
import dev.tandem.protocol.grpc.WorkerInfo;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/**
 * Failures and overload with real processes on the built-in synthetic model (no model file needed): a disaggregated
 * cluster of two prefill and three decode workers behind one frontend. Workers are killed (SIGKILL) or stopped
 * (SIGTERM) while streams run; every stream must still end with exactly the text of an undisturbed run, greedy or
 * seeded, and the right usage. Also: refusals when every worker is busy, and a storm of client disconnects that
 * leaves no ERROR line and no KV block in use. The tests run in order on one cluster, which they shrink.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultToleranceIT {

    private static final String MODEL = "tandem-synthetic-llama";
    private static final Duration STARTUP = Duration.ofSeconds(120);
    /** Long enough that a stream is still running when a fault is injected after its first events (0.2-0.8 ms a token). */
    private static final int MAX_TOKENS = 1900;
    /** How often the tests look at streams before injecting a fault: well inside a stream's lifetime. */
    private static final Duration POLL = Duration.ofMillis(5);

    private static final ServiceProcesses processes = new ServiceProcesses();
    private static final Map<ServiceProcess, ProcessHandle> handles = new HashMap<>();
    private static final List<ManagedChannel> channels = new ArrayList<>();
    private static final ExecutorService clients = Executors.newCachedThreadPool();
    private static ServiceProcess prefill1;
    private static ServiceProcess prefill2;
    private static ServiceProcess decode1;
    private static ServiceProcess decode2;
    private static ServiceProcess decode3;
    private static ServiceProcess frontend;
    private static OpenAiClient client;
    /** The decode workers still running. */
    private static final List<ServiceProcess> decoders = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startCluster() {
        // small KV pools start fast; decode workers drain for 0.8 s (80% of their shutdown timeout), which the
        // drain test's streams outlive, so a drain hands streams over
        Map<String, String> worker = Map.of("TANDEM_KV_BUDGET_MB", "32");
        Map<String, String> decoder = Map.of("TANDEM_KV_BUDGET_MB", "32", "QUARKUS_SHUTDOWN_TIMEOUT", "1s");
        prefill1 = start("ft-prefill-1", "prefill-service", worker);
        prefill2 = start("ft-prefill-2", "prefill-service", worker);
        decode1 = start("ft-decode-1", "decode-service", decoder);
        decode2 = start("ft-decode-2", "decode-service", decoder);
        decode3 = start("ft-decode-3", "decode-service", decoder);
        decoders.addAll(List.of(decode1, decode2, decode3));
        for (ServiceProcess process : List.of(prefill1, prefill2, decode1, decode2, decode3)) {
            process.awaitHealthy(STARTUP);
        }
        frontend = start("ft-frontend", "frontend-service", Map.of(
                "TANDEM_PREFILL_WORKERS", prefill1.address() + "," + prefill2.address(),
                "TANDEM_DECODE_WORKERS", decode1.address() + "," + decode2.address() + "," + decode3.address()));
        client = new OpenAiClient(frontend.awaitHealthy(STARTUP));
        // every worker reported once, so routing knows them all
        await().atMost(Duration.ofSeconds(30)).until(() -> client.get("/health").body().path("instances").size() == 5);
    }

    @AfterAll
    static void stopCluster() {
        clients.shutdownNow();
        channels.forEach(ManagedChannel::shutdownNow);
        processes.stopAll();
    }

    /** Starts a service and remembers its process, to signal it. */
    private static ServiceProcess start(String name, String module, Map<String, String> env) {
        Set<ProcessHandle> before = ProcessHandle.current().children().collect(Collectors.toSet());
        ServiceProcess process = processes.start(name, module, env);
        ProcessHandle handle = ProcessHandle.current().children().filter(child -> !before.contains(child))
                .findFirst().orElseThrow();
        handles.put(process, handle);
        return process;
    }

    private static String request(String prompt, boolean stream, String sampling) {
        return request(prompt, stream, sampling, MAX_TOKENS);
    }

    private static String request(String prompt, boolean stream, String sampling, int maxTokens) {
        return "{\"model\":\"" + MODEL + "\",\"prompt\":" + OpenAiClient.JSON.valueToTree(prompt) + ",\"max_tokens\":"
                + maxTokens + ",\"ignore_eos\":true,\"stream\":" + stream
                + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "") + "," + sampling + "}";
    }

    private static final String GREEDY = "\"temperature\":0";
    /** Seeded draws depend on (seed, step), penalties on the tokens generated: both must survive a migration. */
    private static final String SEEDED = "\"temperature\":0.9,\"top_p\":0.95,\"seed\":1234,\"frequency_penalty\":0.5";

    /** A stream read as it arrives. */
    private static final class Sse {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> done;

        Sse(String body) {
            done = CompletableFuture.supplyAsync(() -> read(body), clients);
        }

        private int read(String body) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(frontend.url("/v1/completions")))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            try {
                HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    for (String line; (line = reader.readLine()) != null;) {
                        if (line.startsWith("data: ")) {
                            events.add(line.substring(6));
                        }
                    }
                }
                return response.statusCode();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        int contentEvents() {
            return (int) events.stream().filter(e -> e.contains("\"text\"")).count();
        }

        OpenAiClient.Stream finished() {
            int status = done.orTimeout(120, TimeUnit.SECONDS).join();
            return new OpenAiClient.Stream(status, List.copyOf(events));
        }
    }

    private static List<String> prompts(String tag, int n) {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            prompts.add(tag + " story number " + i + ": once upon a time");
        }
        return prompts;
    }

    /** The undisturbed texts of these requests, one at a time. */
    private static List<String> reference(List<String> bodies) {
        List<String> texts = new ArrayList<>();
        for (String body : bodies) {
            OpenAiClient.Stream stream = new Sse(body).finished();
            assertEquals(200, stream.status());
            texts.add(stream.text());
        }
        return texts;
    }

    private static void assertUnbroken(OpenAiClient.Stream stream, String expected, String what) {
        assertUnbroken(stream, expected, what, MAX_TOKENS);
    }

    private static void assertUnbroken(OpenAiClient.Stream stream, String expected, String what, int maxTokens) {
        assertEquals(200, stream.status(), what);
        assertEquals("[DONE]", stream.events().getLast(), what + ": " + stream.events());
        assertTrue(stream.events().stream().noneMatch(e -> e.contains("\"error\"")), what + ": " + stream.events());
        assertEquals(expected, stream.text(), what + ": the text differs from the undisturbed run");
        JsonNode usage = stream.chunks().getLast().path("usage");
        assertEquals(maxTokens, usage.path("completion_tokens").asInt(), what + ": " + usage);
    }

    @Test
    @Order(1)
    void busyWorkersAreRefusedAtOnceWithAnOpenAiBodyThenServiceResumes() {
        // load on every decode worker: streams until each one holds KV blocks
        List<Sse> load = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            load.add(new Sse(request("busy load " + load.size(), true, GREEDY, 1900)));
            return List.of(decode1, decode2, decode3).stream().allMatch(d -> info(d).getKvUsedBlocks() > 0);
        });
        OpenAiClient.Reply set = client.post("/busy_threshold",
                "{\"model\":\"" + MODEL + "\",\"active_decode_blocks_threshold\":0.0}");
        assertEquals(200, set.status(), set.body().toString());
        assertEquals(0.0, set.body().path("active_decode_blocks_threshold").asDouble());
        assertEquals(10000000, set.body().path("active_prefill_tokens_threshold").asLong());
        JsonNode listed = client.get("/busy_threshold").body().path("thresholds").path(0);
        assertEquals(MODEL, listed.path("model").asText());
        assertEquals(0.0, listed.path("active_decode_blocks_threshold").asDouble());

        String small = "{\"model\":\"" + MODEL + "\",\"prompt\":\"hello\",\"max_tokens\":4,\"temperature\":0}";
        try {
            // the frontend sees the workers' load at its next poll
            await().atMost(Duration.ofSeconds(10)).until(() -> client.post("/v1/completions", small).status() == 503);
            List<Long> millis = new ArrayList<>();
            OpenAiClient.Reply refused = null;
            for (int i = 0; i < 5; i++) {
                long startedAt = System.nanoTime();
                refused = client.post("/v1/completions", small);
                millis.add((System.nanoTime() - startedAt) / 1_000_000);
                assertEquals(503, refused.status());
            }
            // the median, measured at the client while the load streams run on the same machine: "at once" means
            // without waiting for a worker (the 1900-token load streams hold them for many seconds), not a latency
            // target, so the bound leaves room for a shared 2-core machine
            long median = millis.stream().sorted().toList().get(2);
            assertTrue(median < 1000, "refused in " + millis + " ms");
            assertEquals("1", refused.raw().headers().firstValue("Retry-After").orElse(null));
            assertEquals("server_error", refused.body().path("error").path("type").asText());
            assertEquals("service_unavailable", refused.body().path("error").path("code").asText());
            assertTrue(refused.body().path("error").path("message").asText().startsWith("All workers are busy"),
                    refused.body().toString());
            // a stream refused before it starts gets the status and the same body
            OpenAiClient.Reply refusedStream = client.post("/v1/completions", small.replace("}", ",\"stream\":true}"));
            assertEquals(503, refusedStream.status());
            assertEquals("service_unavailable", refusedStream.body().path("error").path("code").asText());
            assertTrue(frontend.metricSum("dynamo_frontend_model_rejection_total") >= 6);
            assertEquals(422, client.post("/busy_threshold", "{not json").status());
        } finally {
            client.post("/busy_threshold", "{\"model\":\"" + MODEL + "\",\"active_decode_blocks_threshold\":1.0}");
        }
        assertEquals(200, client.post("/v1/completions", small).status());
        load.forEach(sse -> assertEquals(200, sse.finished().status()));
    }

    @Test
    @Order(2)
    void aDisconnectStormLeavesNoErrorLineAndNoKvBlockInUse() {
        Map<ServiceProcess, Integer> linesBefore = new HashMap<>();
        processes.forEach(process -> linesBefore.put(process, process.logLines().size()));
        List<CompletableFuture<Integer>> storm = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String body = request("storm " + i, true, GREEDY);
            int events = 1 + i % 5;
            storm.add(CompletableFuture.supplyAsync(() -> client.streamThenDisconnect("/v1/completions", body, events), clients));
        }
        storm.forEach(CompletableFuture::join);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> List.of(prefill1, prefill2, decode1, decode2, decode3).stream()
                .allMatch(worker -> info(worker).getKvUsedBlocks() == 0 && info(worker).getPendingKvHandles() == 0));
        for (ServiceProcess process : processes) {
            List<String> lines = process.logLines();
            List<String> errors = lines.subList(linesBefore.get(process), lines.size()).stream()
                    .filter(line -> line.contains(" ERROR ") || line.contains("Mutiny had to drop")).toList();
            assertEquals(List.of(), errors, process.name + " logged errors");
        }
    }

    @Test
    @Order(3)
    void aKilledDecodeWorkerLosesNoStream() {
        List<String> bodies = new ArrayList<>();
        prompts("kill-decode", 5).forEach(prompt -> bodies.add(request(prompt, true, GREEDY)));
        bodies.add(request("kill-decode seeded", true, SEEDED));
        List<String> expected = reference(bodies);
        double migrationsBefore = migrations();

        List<Sse> streams = bodies.stream().map(Sse::new).toList();
        await().atMost(Duration.ofSeconds(60)).pollInterval(POLL).until(() -> streams.stream().allMatch(s -> s.contentEvents() >= 20));
        ServiceProcess victim = busiest();
        handles.get(victim).destroyForcibly();
        decoders.remove(victim);

        for (int i = 0; i < streams.size(); i++) {
            assertUnbroken(streams.get(i).finished(), expected.get(i), "stream " + i);
        }
        assertTrue(migrations() > migrationsBefore, "no migration counted");
    }

    @Test
    @Order(4)
    void aKilledPrefillWorkerHoldingKvCostsARePrefillNotTheRequest() {
        List<String> bodies = new ArrayList<>();
        prompts("kill-prefill", 4).forEach(prompt -> bodies.add(request(prompt, true, GREEDY)));
        List<String> expected = reference(bodies);
        double migrationsBefore = migrations();

        // the decode workers are paused: prefill-1 keeps the KV of the requests it ran until it is killed
        List<ProcessHandle> paused = decoders.stream().map(handles::get).toList();
        paused.forEach(decoder -> signal(decoder, "STOP"));
        List<Sse> streams;
        try {
            streams = bodies.stream().map(Sse::new).toList();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    info(prefill1).getPendingKvHandles() + info(prefill2).getPendingKvHandles() == bodies.size());
            ServiceProcess holder = info(prefill1).getPendingKvHandles() > 0 ? prefill1 : prefill2;
            handles.get(holder).destroyForcibly();
        } finally {
            paused.forEach(decoder -> signal(decoder, "CONT"));
        }
        for (int i = 0; i < streams.size(); i++) {
            assertUnbroken(streams.get(i).finished(), expected.get(i), "stream " + i);
        }
        assertTrue(migrations() > migrationsBefore, "no migration counted");
    }

    @Test
    @Order(5)
    void aDrainingDecodeWorkerFinishesOrHandsOverEveryStream() {
        List<String> bodies = new ArrayList<>();
        // six streams of 1900 tokens: longer than the 0.8 s the draining worker gives them (2026-12-07: 1.5 s for four
        // of 1800), so that it hands them over
        int drainTokens = 1900;
        prompts("drain", 6).forEach(prompt -> bodies.add(request(prompt, true, GREEDY, drainTokens)));
        List<String> expected = reference(bodies);

        List<Sse> streams = bodies.stream().map(Sse::new).toList();
        await().atMost(Duration.ofSeconds(60)).pollInterval(POLL).until(() -> streams.stream().allMatch(s -> s.contentEvents() >= 20));
        ServiceProcess draining = busiest();
        handles.get(draining).destroy(); // SIGTERM
        decoders.remove(draining);
        await().atMost(Duration.ofSeconds(5)).until(() -> draining.logLinesContaining("Draining") > 0);
        for (int i = 0; i < streams.size(); i++) {
            assertUnbroken(streams.get(i).finished(), expected.get(i), "stream " + i, drainTokens);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> !draining.isAlive());
        assertEquals(1, draining.logLinesContaining("grace period over"), "the drain handed nothing over");
        // the survivor serves on
        OpenAiClient.Reply after = client.post("/v1/completions", request("after the drain", false, GREEDY));
        assertEquals(200, after.status(), after.body().toString());
    }

    @Test
    @Order(6)
    void aFailureMigrationCannotAbsorbEndsTheStreamWithAnErrorThenDone() {
        Sse stream = new Sse(request("the last worker goes", true, GREEDY));
        await().atMost(Duration.ofSeconds(60)).pollInterval(POLL).until(() -> stream.contentEvents() >= 10);
        ServiceProcess last = decoders.getFirst();
        handles.get(last).destroyForcibly();
        long killedAt = System.nanoTime();
        OpenAiClient.Stream ended = stream.finished();
        long millis = (System.nanoTime() - killedAt) / 1_000_000;
        assertTrue(millis < 1000, "the stream took " + millis + " ms to end");
        assertEquals("[DONE]", ended.events().getLast());
        JsonNode error = OpenAiClient.parse(ended.events().get(ended.events().size() - 2)).path("error");
        assertEquals("server_error", error.path("type").asText(), ended.events().toString());
        assertEquals("service_unavailable", error.path("code").asText());
        assertFalse(error.path("message").asText().contains("busy"));
    }

    // --- workers' and frontend's state ---

    private static WorkerInfo info(ServiceProcess worker) {
        ManagedChannel channel = ManagedChannelBuilder.forTarget(worker.address()).usePlaintext().build();
        channels.add(channel);
        return WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).info(InfoRequest.getDefaultInstance());
    }

    /** The running decode worker with the most sequences. */
    private static ServiceProcess busiest() {
        return decoders.stream().max(java.util.Comparator.comparingInt(d -> info(d).getInflightRequests())).orElseThrow();
    }

    private static void signal(ProcessHandle process, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double migrations() {
        return frontend.metric("dynamo_frontend_model_migration_total").entrySet().stream()
                .filter(e -> e.getKey().contains("ongoing_request")).mapToDouble(Map.Entry::getValue).sum();
    }
}
