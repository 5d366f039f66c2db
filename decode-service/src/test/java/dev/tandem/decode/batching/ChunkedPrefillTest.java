package dev.tandem.decode.batching;

import static dev.tandem.testing.worker.WorkerClient.greedy;
import static dev.tandem.testing.worker.WorkerClient.prompt;
import static dev.tandem.testing.worker.WorkerClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.testing.worker.WorkerClient;
import dev.tandem.testing.worker.WorkerClient.Generation;
import dev.tandem.testing.worker.WorkerClient.Stream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** A long prompt is prefilled a chunk per iteration, and running streams keep producing tokens meanwhile. */
@QuarkusTest
@TestProfile(ChunkedPrefillTest.Chunks.class)
class ChunkedPrefillTest {

    private static final int CHUNK = 64;
    private static final int LONG_PROMPT = 1600;

    public static class Chunks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tandem.decode.prefill-chunk-tokens", String.valueOf(CHUNK));
        }
    }

    @Test
    void aRunningStreamKeepsGoingWhileALongPromptIsPrefilled() throws Exception {
        try (WorkerClient client = WorkerClient.connect()) {
            GenerateRequest running = request("chunked-running", prompt(20, 81), greedy(400));
            GenerateRequest longPrompt = request("chunked-long", prompt(LONG_PROMPT, 82), greedy(8));

            Stream runningStream = client.start(running);
            runningStream.awaitTokens(5, Duration.ofSeconds(10));
            long submittedAt = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
            Generation longTogether = client.start(longPrompt).await(Duration.ofSeconds(60));
            Generation runningTogether = runningStream.await(Duration.ofSeconds(60));

            long firstLongToken = longTogether.timings().getFirst().getEmittedAtUs();
            long tokensDuringPrefill = runningTogether.timings().stream()
                    .filter(timing -> timing.getEmittedAtUs() > submittedAt && timing.getEmittedAtUs() < firstLongToken)
                    .count();
            int chunks = Math.ceilDiv(LONG_PROMPT, CHUNK);
            assertTrue(tokensDuringPrefill >= chunks - 2, "a decoding step between the prompt's " + chunks
                    + " chunks, but the running stream got only " + tokensDuringPrefill + " tokens meanwhile");
            assertEquals(0, longTogether.messages().getFirst().getCachedTokens());

            // alone afterwards (the long prompt now mostly from the cache): the same tokens
            assertEquals(client.generate(request("chunked-long-alone", longPrompt.getPromptTokenIdsList().stream()
                    .mapToInt(Integer::intValue).toArray(), greedy(8))).tokens(), longTogether.tokens());
            assertEquals(client.generate(request("chunked-running-alone", prompt(20, 81), greedy(400))).tokens(),
                    runningTogether.tokens());
            client.awaitIdle();
        }
    }
}
