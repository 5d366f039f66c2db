package dev.tandem.frontend.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tandem.model.SyntheticModel;
import dev.tandem.protocol.grpc.InfoRequest;
import dev.tandem.protocol.grpc.WorkerGrpc;
import dev.tandem.protocol.grpc.WorkerInfo;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/**
 * Frontend, prefill and decode as separate processes on free loopback ports, over real gRPC. One prefill and one
 * decode worker are shared by a disaggregated frontend and an aggregated one (decode worker only).
 *
 * <p>With ../shared the services serve stories260K and the greedy texts are checked against llama.cpp's
 * continuation. Without it they serve the built-in synthetic model: the checks of llama.cpp's text are skipped,
 * and the structural ones (aggregated and disaggregated agree, prefix cache, concurrent streams, cancellation,
 * routing across two workers per role, failover) run all the same, against the text the aggregated frontend gave
 * for the same request first.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TandemClusterIT {

    private static final String MODEL_FILE = "stories260K.gguf";
    private static final String PROMPT = "Once upon a time";
    private static final Duration STARTUP = Duration.ofSeconds(90);
    /** What the decode worker logs when it drops a cancelled sequence. */
    private static final String CANCELLED_LOG = "cancelled after";

    private static final ServiceProcesses processes = new ServiceProcesses();
    /** llama.cpp's reference for stories260K; null on the synthetic model (no ../shared). */
    private static Golden golden;
    /** The served model's name and context window: stories260K's, or the synthetic model's. */
    private static String model;
    private static int contextWindow;
    /** The services' environment: the model to serve (none: the synthetic model). */
    private static Map<String, String> modelEnv;
    /** On the synthetic model, the text each greedy request first got from the aggregated frontend. */
    private static final Map<String, String> references = new ConcurrentHashMap<>();
    private static ServiceProcess prefill;
    private static ServiceProcess decode;
    private static OpenAiClient disagg;
    private static OpenAiClient agg;
    private static ServiceProcess disaggFrontend;

    @BeforeAll
    static void startCluster() throws Exception {
        var shared = Golden.sharedDir();
        if (shared.isPresent()) {
            golden = Golden.load(shared.get(), MODEL_FILE);
            model = "stories260K";
            contextWindow = 512;
            modelEnv = Map.of("TANDEM_MODEL", golden.model().toString());
        } else {
            model = SyntheticModel.NAME;
            contextWindow = SyntheticModel.CONTEXT_LENGTH;
            modelEnv = Map.of();
        }
        ServiceProcesses.BothModes modes = processes.startBothModes(modelEnv, Map.of(), STARTUP);
        prefill = modes.prefill();
        decode = modes.decode();
        disaggFrontend = modes.disaggFrontend();
        disagg = modes.disagg();
        agg = modes.agg();
    }

    @AfterAll
    static void stopCluster() {
        processes.stopAll();
        processes.forEach(process -> assertFalse(process.isAlive(), process.name + " is still running"));
    }

    private static Map<String, String> with(Map<String, String> env, String... more) {
        Map<String, String> all = new HashMap<>(env);
        for (int i = 0; i < more.length; i += 2) {
            all.put(more[i], more[i + 1]);
        }
        return all;
    }

    /** The checks of llama.cpp's text need its reference, in ../shared. */
    /**
     * Far more tokens than a client reads before it leaves, so the decode worker is still generating when it hears
     * of the disconnect: 480 on stories260K; on the synthetic model, which runs them in a fraction of a second, most
     * of its context.
     */
    private static int longGeneration() {
        return contextWindow - 32;
    }

    private static void assumeGolden() {
        Assumptions.assumeTrue(golden != null, "../shared not found: the check against llama.cpp's text is skipped");
    }

    /**
     * The text a greedy request must get: llama.cpp's continuation of {@code prompt} ({@code count} tokens) with
     * ../shared; on the synthetic model, the text the aggregated frontend gave for the same request first.
     */
    private static String expected(String prompt, int count, String path, String body) {
        if (golden != null) {
            return golden.greedyText(prompt, count);
        }
        return references.computeIfAbsent(path + " " + body, key -> body.contains("\"stream\":true")
                ? agg.stream(path, body).text() : text(agg.post(path, body)));
    }

    private static String completion(String prompt, int maxTokens, boolean stream, String extra) {
        return "{\"model\":\"" + model + "\",\"prompt\":" + quote(prompt) + ",\"max_tokens\":" + maxTokens
                + ",\"temperature\":0,\"stream\":" + stream + extra + "}";
    }

    private static String chat(String content, int maxTokens, boolean stream, String extra) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":" + quote(content)
                + "}],\"max_tokens\":" + maxTokens + ",\"temperature\":0,\"stream\":" + stream + extra + "}";
    }

    private static String quote(String text) {
        return OpenAiClient.JSON.valueToTree(text).toString();
    }

    @Test
    @Order(1)
    void completionEqualsTheGreedyReference() {
        assumeGolden();
        OpenAiClient.Reply reply = disagg.post("/v1/completions", completion(PROMPT, 24, false, ""), "e2e-req-1");
        assertEquals(200, reply.status(), reply.body().toString());
        assertEquals("e2e-req-1", reply.raw().headers().firstValue("x-request-id").orElse(null));
        JsonNode choice = reply.body().path("choices").path(0);
        assertEquals(golden.greedyText(PROMPT, 24), choice.path("text").asText());
        assertTrue(choice.path("text").asText().startsWith(", there was a little girl named Lily"));
        assertEquals("length", choice.path("finish_reason").asText());
        // No request-id header: a fresh UUIDv4 becomes the request id and the response id.
        assertTrue(reply.body().path("id").asText().matches("cmpl-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"),
                reply.body().path("id").asText());
        JsonNode usage = reply.body().path("usage");
        assertEquals(golden.promptTokenCount(PROMPT), usage.path("prompt_tokens").asInt());
        assertEquals(24, usage.path("completion_tokens").asInt());
        assertEquals(golden.promptTokenCount(PROMPT) + 24, usage.path("total_tokens").asInt());
    }

    @Test
    @Order(2)
    void chatEqualsTheGreedyReference() {
        assumeGolden();
        String requestId = "5b0d0c6e-1f2a-4c3b-9d4e-5f6a7b8c9d0e";
        OpenAiClient.Reply reply = disagg.post("/v1/chat/completions", chat(PROMPT, 24, false, ""),
                Map.of("request-id", requestId));
        assertEquals(200, reply.status(), reply.body().toString());
        assertEquals("chatcmpl-" + requestId, reply.body().path("id").asText());
        JsonNode message = reply.body().path("choices").path(0).path("message");
        assertEquals("assistant", message.path("role").asText());
        assertEquals(golden.greedyText(PROMPT, 24), message.path("content").asText());
        assertEquals(24, reply.body().path("usage").path("completion_tokens").asInt());
    }

    @Test
    @Order(3)
    void streamedChatEqualsTheGreedyReferenceAndEndsWithUsageAndDone() {
        assumeGolden();
        OpenAiClient.Stream stream = disagg.stream("/v1/chat/completions",
                chat(PROMPT, 24, true, ",\"stream_options\":{\"include_usage\":true}"));
        assertEquals(200, stream.status());
        assertEquals("[DONE]", stream.events().getLast());
        assertEquals(golden.greedyText(PROMPT, 24), stream.text());
        List<JsonNode> chunks = stream.chunks();
        assertEquals("assistant", chunks.getFirst().path("choices").path(0).path("delta").path("role").asText());
        JsonNode usageChunk = chunks.getLast();
        assertEquals(0, usageChunk.path("choices").size());
        assertEquals(24, usageChunk.path("usage").path("completion_tokens").asInt());
        assertEquals(golden.promptTokenCount(PROMPT), usageChunk.path("usage").path("prompt_tokens").asInt());
        assertEquals("length", chunks.get(chunks.size() - 2).path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    @Order(4)
    void streamedCompletionEqualsTheGreedyReference() {
        assumeGolden();
        OpenAiClient.Stream stream = agg.stream("/v1/completions", completion(PROMPT, 24, true, ""));
        assertEquals(200, stream.status());
        assertEquals(golden.greedyText(PROMPT, 24), stream.text());
        assertEquals("[DONE]", stream.events().getLast());
    }

    @Test
    @Order(5)
    void aggregatedAndDisaggregatedGiveTheSameTokens() {
        for (String prompt : List.of(PROMPT, "Lily wanted a big red ball, but her mom said no.")) {
            String greedy = completion(prompt, 40, false, "");
            assertEquals(text(agg.post("/v1/completions", greedy)), text(disagg.post("/v1/completions", greedy)));
        }
        // sampled, seeded: one random sequence across the prefill/decode split
        String sampled = "{\"model\":\"" + model + "\",\"prompt\":\"" + PROMPT
                + "\",\"max_tokens\":40,\"temperature\":0.9,\"top_p\":0.95,\"seed\":1234}";
        String aggText = text(agg.post("/v1/completions", sampled));
        assertEquals(aggText, text(disagg.post("/v1/completions", sampled)));
        assertEquals(aggText, text(agg.post("/v1/completions", sampled)));
    }

    private static String text(OpenAiClient.Reply reply) {
        assertEquals(200, reply.status(), reply.body().toString());
        return reply.body().path("choices").path(0).path("text").asText();
    }

    @Test
    @Order(6)
    void aRepeatedPromptIsServedFromThePrefixCache() throws Exception {
        String story = "Lily and Ben went to the park with their dog. They played with a ball and ran on the grass. "
                + "Then they sat under a big tree and ate apples. The sun was warm and the birds sang.";
        double cachedBefore = histogramSum(disaggFrontend, "dynamo_frontend_cached_tokens");
        OpenAiClient.Reply cold = disagg.post("/v1/completions", completion(story, 16, false, ""));
        OpenAiClient.Stream warm = disagg.stream("/v1/completions",
                completion(story, 16, true, ",\"stream_options\":{\"include_usage\":true}"));
        // the decode worker keeps the KV it pulled for that prompt: aggregated, it finds the prompt cached too
        OpenAiClient.Reply aggregated = agg.post("/v1/completions", completion(story, 16, false, ""));

        assertEquals(0, cold.body().path("usage").path("prompt_tokens_details").path("cached_tokens").asInt(),
                cold.body().toString());
        int promptTokens = cold.body().path("usage").path("prompt_tokens").asInt();
        assertTrue(promptTokens > 32, "a prompt of several blocks: " + promptTokens);
        int cached = warm.chunks().getLast().path("usage").path("prompt_tokens_details").path("cached_tokens").asInt();
        assertEquals((promptTokens - 1) / 16 * 16, cached, "every full block but the one with the last token");
        assertEquals(cached, aggregated.body().path("usage").path("prompt_tokens_details").path("cached_tokens").asInt());
        assertEquals(text(cold), warm.text(), "the cached prompt generates the same text");
        assertEquals(text(cold), text(aggregated));
        assertEquals(cached, histogramSum(disaggFrontend, "dynamo_frontend_cached_tokens") - cachedBefore, 0.0);
    }

    /** A histogram's {@code _sum} on a service's {@code /metrics}. */
    private static double histogramSum(ServiceProcess service, String name) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(service.url("/metrics"))).build(), HttpResponse.BodyHandlers.ofString());
        return response.body().lines().filter(line -> line.startsWith(name + "_sum"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    @Order(6)
    void eightConcurrentStreamsAllFinishCorrectly() throws Exception {
        String reference = expected(PROMPT, 24, "/v1/chat/completions", chat(PROMPT, 24, true, ""));
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            for (OpenAiClient frontend : List.of(disagg, agg)) {
                List<CompletableFuture<OpenAiClient.Stream>> streams = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    streams.add(CompletableFuture.supplyAsync(
                            () -> frontend.stream("/v1/chat/completions", chat(PROMPT, 24, true, "")), clients));
                }
                for (CompletableFuture<OpenAiClient.Stream> stream : streams) {
                    OpenAiClient.Stream result = stream.get(60, TimeUnit.SECONDS);
                    assertEquals(200, result.status());
                    assertEquals(reference, result.text());
                    assertEquals("[DONE]", result.events().getLast());
                }
            }
        } finally {
            clients.shutdownNow();
        }
        awaitWorkersIdle();
    }

    @Test
    @Order(7)
    void stopStringsEndTheTextAndFreeTheSequence() {
        assumeGolden();
        OpenAiClient.Reply reply = disagg.post("/v1/completions", completion(PROMPT, 24, false, ",\"stop\":[\"Lily\"]"));
        assertEquals(200, reply.status(), reply.body().toString());
        assertEquals(", there was a little girl named ", reply.body().path("choices").path(0).path("text").asText());
        assertEquals("stop", reply.body().path("choices").path(0).path("finish_reason").asText());
        awaitWorkersIdle();
    }

    @Test
    @Order(8)
    void clientThatDisconnectsMidStreamLeavesNoKvAllocated() {
        for (OpenAiClient frontend : List.of(disagg, agg)) {
            long cancelledBefore = decode.logLinesContaining(CANCELLED_LOG);
            int read = frontend.streamThenDisconnect("/v1/completions",
                    completion(PROMPT, longGeneration(), true, ",\"ignore_eos\":true"), 3);
            assertEquals(3, read);
            awaitWorkersIdle();
            // the decode worker stopped the sequence mid-stream, rather than finishing its 480 tokens
            Waits.within(Duration.ofSeconds(5), Duration.ofMillis(50),
                    () -> decode.logLinesContaining(CANCELLED_LOG) != cancelledBefore);
            assertEquals(cancelledBefore + 1, decode.logLinesContaining(CANCELLED_LOG));
        }
    }

    @Test
    @Order(9)
    void badRequestsGetOpenAiErrors() {
        OpenAiClient.Reply tooLong = disagg.post("/v1/completions", completion(PROMPT, contextWindow + 88, false, ""));
        assertEquals(400, tooLong.status());
        assertTrue(tooLong.body().path("error").path("message").asText().contains("context length"), tooLong.body().toString());
        OpenAiClient.Reply malformed = disagg.post("/v1/chat/completions", "{\"model\":");
        assertEquals(400, malformed.status());
        assertEquals("invalid_request_error", malformed.body().path("error").path("type").asText());
        OpenAiClient.Reply unknownModel = disagg.post("/v1/completions", completion(PROMPT, 4, false, "")
                .replace(model, "gpt-5"));
        assertEquals(400, unknownModel.status());
        assertEquals("model", unknownModel.body().path("error").path("param").asText());
    }

    @Test
    @Order(10)
    void modelsAreListed() {
        OpenAiClient.Reply models = disagg.get("/v1/models");
        assertEquals(200, models.status());
        assertEquals(model, models.body().path("data").path(0).path("id").asText());
        assertEquals(contextWindow, models.body().path("data").path(0).path("context_window").asInt());
    }

    @Test
    @Order(11)
    void twoPrefillAndTwoDecodeWorkersShareTheLoad() throws Exception {
        String streamed = expected(PROMPT, 24, "/v1/completions", completion(PROMPT, 24, true, ""));
        String unary = expected(PROMPT, 24, "/v1/completions", completion(PROMPT, 24, false, ""));
        ServiceProcess prefill2 = processes.start("prefill-2", "prefill-service", modelEnv).awaitHealthy(STARTUP);
        ServiceProcess decode2 = processes.start("decode-2", "decode-service", modelEnv).awaitHealthy(STARTUP);
        ServiceProcess frontendProcess = processes.start("frontend-2x2", "frontend-service", with(modelEnv,
                "TANDEM_PREFILL_WORKERS", prefill.address() + "," + prefill2.address(),
                "TANDEM_DECODE_WORKERS", decode.address() + "," + decode2.address())).awaitHealthy(STARTUP);
        OpenAiClient frontend = new OpenAiClient(frontendProcess);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<OpenAiClient.Stream>> streams = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                streams.add(CompletableFuture.supplyAsync(
                        () -> frontend.stream("/v1/completions", completion(PROMPT, 24, true, "")), clients));
            }
            for (CompletableFuture<OpenAiClient.Stream> stream : streams) {
                assertEquals(streamed, stream.get(60, TimeUnit.SECONDS).text());
            }
        } finally {
            clients.shutdownNow();
        }
        // KV-aware routing: with two prefill workers, prompts come back to the one that holds their prefix. Before
        // each, the frontend's view of the workers catches up (polled every second) with their being idle, so
        // that a report taken while a worker was busy with the previous prompt does not send this one elsewhere.
        awaitWorkersIdle();
        List<String> stories = List.of(
                "Tom had a red kite. He ran up the hill with it and the wind took it up high into the sky. ".repeat(3),
                "The cat sat by the window and looked at the rain. She wanted to go out and play in the garden. ".repeat(3));
        for (String story : stories) {
            frontend.post("/v1/completions", completion(story, 4, false, ""));
        }
        for (String story : stories) {
            awaitWorkersIdle();
            awaitFrontendSeesIdleWorkers(frontendProcess);
            OpenAiClient.Reply again = frontend.post("/v1/completions", completion(story, 4, false, ""));
            JsonNode usage = again.body().path("usage");
            assertEquals(usage.path("prompt_tokens").asInt() - 1 - (usage.path("prompt_tokens").asInt() - 1) % 16,
                    usage.path("prompt_tokens_details").path("cached_tokens").asInt(), again.body().toString());
        }
        // a prefill and a decode worker going away: the frontend routes around them, sending a request that
        // finds its decode worker gone to the other one (a migration)
        prefill2.close();
        decode2.close();
        for (int i = 0; i < 4; i++) {
            assertEquals(unary, text(frontend.post("/v1/completions", completion(PROMPT, 24, false, ""))));
        }
    }

    @Test
    @Order(99)
    void withNoPrefillWorkerLeftTheFrontendFallsBackToAggregated() {
        String unary = expected(PROMPT, 24, "/v1/completions", completion(PROMPT, 24, false, ""));
        prefill.close();
        for (int i = 0; i < 3; i++) {
            assertEquals(unary, text(disagg.post("/v1/completions", completion(PROMPT, 24, false, ""))));
        }
        awaitWorkersIdle();
    }

    @Test
    @Order(100)
    void requestToAStoppedDecodeWorkerGets503() {
        decode.close();
        OpenAiClient.Reply reply = agg.post("/v1/chat/completions", chat(PROMPT, 8, false, ""));
        assertEquals(503, reply.status(), reply.body().toString());
        assertTrue(reply.body().path("error").path("message").asText().toLowerCase().contains("worker"), reply.body().toString());
        // a stream that cannot start is refused with a status too, not a 200 that fails later
        OpenAiClient.Reply streamed = agg.post("/v1/chat/completions", chat(PROMPT, 8, true, ""));
        assertEquals(503, streamed.status(), streamed.body().toString());
        assertEquals("service_unavailable", streamed.body().path("error").path("code").asText());
    }

    /**
     * The frontend's last report from every worker (its {@code dynamo_frontend_worker_*} load gauges) says it is
     * idle: no KV blocks in use, no prompt tokens waiting to be prefilled.
     */
    private static void awaitFrontendSeesIdleWorkers(ServiceProcess frontend) {
        await("the frontend's view of its workers: all idle").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(frontend.url("/metrics")))
                            .build(), HttpResponse.BodyHandlers.ofString()).body();
                    List<String> load = scrape.lines().filter(line -> line.startsWith("dynamo_frontend_worker_active_decode_blocks")
                            || line.startsWith("dynamo_frontend_worker_active_prefill_tokens")).toList();
                    return !load.isEmpty() && load.stream().allMatch(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) == 0);
                });
    }

    /** Every live worker reports no KV in use and nothing in flight, within a few seconds. */
    private static void awaitWorkersIdle() {
        for (ServiceProcess worker : processes) {
            if (worker.name.startsWith("frontend") || !worker.isAlive()) {
                continue;
            }
            ManagedChannel channel = ManagedChannelBuilder.forTarget(worker.address()).usePlaintext().build();
            try {
                AtomicReference<WorkerInfo> last = new AtomicReference<>();
                Waits.within(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
                    WorkerInfo info = WorkerGrpc.newBlockingStub(channel).info(InfoRequest.getDefaultInstance());
                    last.set(info);
                    return info.getKvUsedBlocks() == 0 && info.getInflightRequests() == 0 && info.getPendingKvHandles() == 0;
                });
                WorkerInfo info = last.get();
                assertEquals(0, info.getKvUsedBlocks(), worker.name + " still holds KV: " + info);
                assertEquals(0, info.getPendingKvHandles(), worker.name + " still holds KV handles: " + info);
                assertEquals(0, info.getInflightRequests(), worker.name + " still has requests in flight: " + info);
            } finally {
                channel.shutdownNow();
            }
        }
    }
}
