package dev.tandem.frontend.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tandem.model.PrefixHash;
import dev.tandem.model.SyntheticModel;

/**
 * logprobs and n > 1 through real processes on the synthetic model: a prefill and a decode worker, a disaggregated
 * and an aggregated frontend. The values themselves are checked against the engine's logits in the engine's
 * LogProbsTest; here: their shapes, their invariants, streamed equal to not streamed, and aggregated equal to
 * disaggregated (the first token's come from the prefill worker there). Disaggregated, the n choices of a request
 * share one prompt run on the prefill worker and, on the decode worker, the prompt's full blocks.
 */
class LogprobsAndChoicesIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final String MODEL = SyntheticModel.NAME;
    private static final ServiceProcesses processes = new ServiceProcesses();
    private static ServiceProcess prefill;
    private static ServiceProcess decode;
    private static OpenAiClient disagg;
    private static OpenAiClient agg;

    @BeforeAll
    static void startCluster() {
        prefill = processes.start("prefill-lp", "prefill-service", Map.of());
        decode = processes.start("decode-lp", "decode-service", Map.of());
        prefill.awaitHealthy(STARTUP);
        decode.awaitHealthy(STARTUP);
        ServiceProcess disaggFrontend = processes.start("frontend-lp-disagg", "frontend-service", Map.of(
                "TANDEM_PREFILL_WORKERS", prefill.address(), "TANDEM_DECODE_WORKERS", decode.address()));
        ServiceProcess aggFrontend = processes.start("frontend-lp-agg", "frontend-service",
                Map.of("TANDEM_DECODE_WORKERS", decode.address()));
        disagg = new OpenAiClient(disaggFrontend.awaitHealthy(STARTUP));
        agg = new OpenAiClient(aggFrontend.awaitHealthy(STARTUP));
    }

    @AfterAll
    static void stopCluster() {
        processes.stopAll();
    }

    private static String chat(int maxTokens, boolean stream, String extra) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],"
                + "\"max_tokens\":" + maxTokens + ",\"temperature\":0,\"stream\":" + stream + extra + "}";
    }

    private static String completion(int maxTokens, boolean stream, String extra) {
        return "{\"model\":\"" + MODEL + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":" + maxTokens
                + ",\"temperature\":0,\"stream\":" + stream + extra + "}";
    }

    private static JsonNode ok(OpenAiClient.Reply reply) {
        assertEquals(200, reply.status(), reply.body().toString());
        return reply.body();
    }

    @Test
    void chatLogprobsStreamedAndNotAggregatedAndDisaggregated() {
        List<JsonNode> contents = new ArrayList<>();
        for (OpenAiClient client : List.of(disagg, agg)) {
            JsonNode body = ok(client.post("/v1/chat/completions",
                    chat(12, false, ",\"logprobs\":true,\"top_logprobs\":5,\"ignore_eos\":true")));
            JsonNode content = body.path("choices").path(0).path("logprobs").path("content");
            assertEquals(body.path("usage").path("completion_tokens").asInt(), content.size(), body.toString());
            for (JsonNode token : content) {
                double logprob = token.path("logprob").asDouble();
                assertTrue(logprob <= 0, token.toString());
                assertTrue(token.path("bytes").isArray(), token.toString());
                JsonNode top = token.path("top_logprobs");
                assertEquals(5, top.size(), token.toString());
                double mass = 0;
                for (int i = 0; i < top.size(); i++) {
                    assertTrue(i == 0 || top.path(i).path("logprob").asDouble() <= top.path(i - 1).path("logprob").asDouble(),
                            "sorted descending: " + top);
                    assertTrue(top.path(i).path("bytes").isArray());
                    mass += Math.exp(top.path(i).path("logprob").asDouble());
                }
                assertTrue(mass <= 1 + 1e-4, "mass " + mass);
                // greedy: the chosen token is the top entry
                assertEquals(token.path("bytes"), top.path(0).path("bytes"), token.toString());
                assertEquals(logprob, top.path(0).path("logprob").asDouble(), 1e-6, token.toString());
            }
            contents.add(content);

            // streamed: the chunks' logprobs, joined, are the same tokens with the same values
            OpenAiClient.Stream stream = client.stream("/v1/chat/completions",
                    chat(12, true, ",\"logprobs\":true,\"top_logprobs\":5,\"ignore_eos\":true"));
            assertEquals(200, stream.status());
            List<JsonNode> streamed = new ArrayList<>();
            for (JsonNode chunk : stream.chunks()) {
                for (JsonNode token : chunk.path("choices").path(0).path("logprobs").path("content")) {
                    streamed.add(token);
                }
            }
            assertEquals(content.size(), streamed.size());
            for (int i = 0; i < streamed.size(); i++) {
                assertEquals(content.path(i).path("bytes"), streamed.get(i).path("bytes"));
                assertEquals(content.path(i).path("logprob").asDouble(), streamed.get(i).path("logprob").asDouble(), 1e-6);
            }
        }
        // the first token's logprobs from the prefill worker equal the decode worker's own
        for (int i = 0; i < contents.get(0).size(); i++) {
            assertEquals(contents.get(1).path(i).path("bytes"), contents.get(0).path(i).path("bytes"));
            assertEquals(contents.get(1).path(i).path("logprob").asDouble(), contents.get(0).path(i).path("logprob").asDouble(),
                    1e-3);
        }
        // no logprobs asked: an explicit null
        assertTrue(ok(agg.post("/v1/chat/completions", chat(4, false, ""))).path("choices").path(0).path("logprobs").isNull());
    }

    @Test
    void completionLogprobsLegacyShapeStreamedAndNot() {
        for (OpenAiClient client : List.of(disagg, agg)) {
            JsonNode body = ok(client.post("/v1/completions", completion(10, false, ",\"logprobs\":3,\"ignore_eos\":true")));
            JsonNode logprobs = body.path("choices").path(0).path("logprobs");
            JsonNode tokens = logprobs.path("tokens");
            assertEquals(body.path("usage").path("completion_tokens").asInt(), tokens.size(), body.toString());
            assertEquals(tokens.size(), logprobs.path("token_logprobs").size());
            assertEquals(tokens.size(), logprobs.path("top_logprobs").size());
            assertEquals(tokens.size(), logprobs.path("text_offset").size());
            int offset = 0;
            for (int i = 0; i < tokens.size(); i++) {
                double logprob = logprobs.path("token_logprobs").path(i).asDouble();
                assertTrue(logprob <= 0);
                JsonNode top = logprobs.path("top_logprobs").path(i);
                assertTrue(top.size() >= 1 && top.size() <= 3, top.toString());
                double best = Double.NEGATIVE_INFINITY;
                for (var entry : top.properties()) {
                    best = Math.max(best, entry.getValue().asDouble());
                }
                assertEquals(best, logprob, 1e-6, "greedy: the chosen token is the most likely");
                assertEquals(offset, logprobs.path("text_offset").path(i).asInt());
                offset += tokens.path(i).asText().length();
            }
            OpenAiClient.Stream stream = client.stream("/v1/completions",
                    completion(10, true, ",\"logprobs\":3,\"ignore_eos\":true"));
            List<String> streamedTokens = new ArrayList<>();
            List<Integer> streamedOffsets = new ArrayList<>();
            for (JsonNode chunk : stream.chunks()) {
                JsonNode piece = chunk.path("choices").path(0).path("logprobs");
                piece.path("tokens").forEach(t -> streamedTokens.add(t.asText()));
                piece.path("text_offset").forEach(t -> streamedOffsets.add(t.asInt()));
            }
            List<String> whole = new ArrayList<>();
            tokens.forEach(t -> whole.add(t.asText()));
            List<Integer> wholeOffsets = new ArrayList<>();
            logprobs.path("text_offset").forEach(t -> wholeOffsets.add(t.asInt()));
            assertEquals(whole, streamedTokens);
            assertEquals(wholeOffsets, streamedOffsets);
        }
    }

    @Test
    void outOfRangeValuesAre400s() {
        for (String bad : List.of(chat(4, false, ",\"logprobs\":true,\"top_logprobs\":21"),
                chat(4, false, ",\"top_logprobs\":2"), chat(4, false, ",\"logprobs\":3"),
                completion(4, false, ",\"logprobs\":6"), completion(4, false, ",\"top_logprobs\":2"),
                completion(4, false, ",\"n\":129"), chat(4, false, ",\"n\":0"))) {
            OpenAiClient.Reply reply = agg.post(bad.contains("messages") ? "/v1/chat/completions" : "/v1/completions", bad);
            assertEquals(400, reply.status(), bad + " → " + reply.body());
        }
    }

    @Test
    void nChoicesAreSeededDistinctAndAddUp() {
        String sampled = ",\"n\":3,\"temperature\":0.9,\"seed\":42,\"ignore_eos\":true";
        int promptTokens = ok(agg.post("/v1/completions", completion(4, false, ""))).path("usage").path("prompt_tokens").asInt();
        for (OpenAiClient client : List.of(disagg, agg)) {
            String request = completion(16, false, "").replace(",\"temperature\":0", sampled);
            JsonNode first = ok(client.post("/v1/completions", request));
            JsonNode again = ok(client.post("/v1/completions", request));
            assertEquals(3, first.path("choices").size(), first.toString());
            Set<String> texts = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                assertEquals(i, first.path("choices").path(i).path("index").asInt());
                assertEquals(first.path("choices").path(i).path("text"), again.path("choices").path(i).path("text"),
                        "reproducible with a seed");
                texts.add(first.path("choices").path(i).path("text").asText());
            }
            assertTrue(texts.size() > 1, "each choice draws its own tokens: " + texts);
            assertEquals(48, first.path("usage").path("completion_tokens").asInt(), first.toString());
            assertEquals(promptTokens, first.path("usage").path("prompt_tokens").asInt(), "prompt counted once");

            // streamed: the same choices, told apart by index, each finished; usage adds them up
            OpenAiClient.Stream stream = client.stream("/v1/completions", request.replace("\"stream\":false",
                    "\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
            Map<Integer, StringBuilder> byIndex = new TreeMap<>();
            Map<Integer, String> finished = new HashMap<>();
            JsonNode usage = null;
            for (JsonNode chunk : stream.chunks()) {
                for (JsonNode choice : chunk.path("choices")) {
                    int index = choice.path("index").asInt();
                    byIndex.computeIfAbsent(index, k -> new StringBuilder()).append(choice.path("text").asText());
                    if (choice.path("finish_reason").isTextual()) {
                        finished.put(index, choice.path("finish_reason").asText());
                    }
                }
                if (chunk.path("usage").isObject()) {
                    usage = chunk.path("usage");
                }
            }
            assertEquals(Set.of(0, 1, 2), byIndex.keySet());
            assertEquals(Set.of(0, 1, 2), finished.keySet());
            for (int i = 0; i < 3; i++) {
                assertEquals(first.path("choices").path(i).path("text").asText(), byIndex.get(i).toString());
            }
            assertTrue(usage != null, "usage chunk");
            assertEquals(48, usage.path("completion_tokens").asInt());

            // chat too, with logprobs per choice
            JsonNode chat = ok(client.post("/v1/chat/completions", chat(6, false, sampled + ",\"logprobs\":true")
                    .replace(",\"temperature\":0,", ",")));
            assertEquals(3, chat.path("choices").size());
            for (JsonNode choice : chat.path("choices")) {
                assertEquals(6, choice.path("logprobs").path("content").size(), choice.toString());
            }
            assertNotEquals(null, chat.path("usage"));
            assertEquals(18, chat.path("usage").path("completion_tokens").asInt());
        }
    }

    @Test
    void disaggregatedChoicesShareOnePrefillAndTheFullBlocksOfThePrompt() {
        String prompt = "Four choices of one request share this prompt, which runs once on the prefill worker";
        String request = "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + prompt + "\",\"max_tokens\":8,"
                + "\"temperature\":0.9,\"ignore_eos\":true,\"n\":4,\"seed\":";
        double promptRunsBefore = promptTokensRun();
        double pulledBefore = decode.metricSum("dynamo_component_kv_transfer_bytes_total");

        JsonNode first = ok(disagg.post("/v1/completions", request + "7}"));

        int promptTokens = first.path("usage").path("prompt_tokens").asInt();
        assertTrue(promptTokens > PrefixHash.DEFAULT_BLOCK_SIZE, "a prompt with full blocks: " + promptTokens);
        // recorded before the workers answer; awaited all the same, then checked to be exactly one prompt's worth
        await().atMost(Duration.ofSeconds(10)).until(() -> promptTokensRun() - promptRunsBefore >= promptTokens);
        assertEquals(promptTokens, promptTokensRun() - promptRunsBefore, 0, "the prompt ran once for the four choices");
        // choice 0 pulls the whole prompt; the others share its full blocks and pull only the last, partial one
        int lastBlock = promptTokens - PrefixHash.DEFAULT_BLOCK_SIZE * ((promptTokens - 1) / PrefixHash.DEFAULT_BLOCK_SIZE);
        long bytesPerToken = 2L * SyntheticModel.LAYERS * SyntheticModel.KV_HEADS * (SyntheticModel.DIM / SyntheticModel.HEADS)
                * Float.BYTES;
        double expectedPulled = (promptTokens + 3L * lastBlock) * bytesPerToken;
        await().atMost(Duration.ofSeconds(10))
                .until(() -> decode.metricSum("dynamo_component_kv_transfer_bytes_total") - pulledBefore >= expectedPulled);
        assertEquals(expectedPulled, decode.metricSum("dynamo_component_kv_transfer_bytes_total") - pulledBefore, 0);
        assertEquals(4 * 8, first.path("usage").path("completion_tokens").asInt());
        assertEquals(promptTokens, first.path("usage").path("prompt_tokens").asInt(), "prompt counted once");

        List<String> texts = texts(first);
        assertEquals(texts, texts(ok(disagg.post("/v1/completions", request + "7}"))), "the same seed, the same choices");
        assertEquals(texts, texts(ok(agg.post("/v1/completions", request + "7}"))), "aggregated draws the same choices");
        assertTrue(new HashSet<>(texts).size() > 1, "each choice draws its own tokens: " + texts);
        assertNotEquals(texts, texts(ok(disagg.post("/v1/completions", request + "8}"))), "another seed, other choices");
    }

    /** Prompt tokens the prefill worker ran: computed, or found in its prefix cache. */
    private static double promptTokensRun() {
        return prefill.metricSum("dynamo_component_prefill_computed_tokens_total")
                + prefill.metricSum("dynamo_component_prefill_cached_tokens_total");
    }

    private static List<String> texts(JsonNode completion) {
        List<String> texts = new ArrayList<>();
        for (JsonNode choice : completion.path("choices")) {
            assertEquals(texts.size(), choice.path("index").asInt(), completion.toString());
            texts.add(choice.path("text").asText());
        }
        return texts;
    }
}
