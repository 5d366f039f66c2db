package dev.tandem.decode.batching;

import static dev.tandem.testing.worker.WorkerClient.greedy;
import static dev.tandem.testing.worker.WorkerClient.prompt;
import static dev.tandem.testing.worker.WorkerClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.testing.worker.WorkerClient;
import dev.tandem.testing.worker.WorkerClient.Generation;
import dev.tandem.testing.worker.WorkerClient.Stream;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With a KV pool far smaller than the requests together need, requests wait for blocks and running ones are
 * preempted and recomputed; every request still generates exactly what it generates alone, and no block leaks.
 */
@QuarkusTest
@TestProfile(PreemptionTest.TwelveBlocks.class)
class PreemptionTest {

    public static class TwelveBlocks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // 12 blocks of 16 tokens: one request of 130 tokens takes 9 of them
            return Map.of("tandem.kv.num-blocks", "12", "tandem.decode.prefill-chunk-tokens", "32");
        }
    }

    @Inject
    ContinuousBatcher batcher;

    @Test
    void requestsThatTogetherOverflowThePoolAllFinishWithTheirOwnTokens() throws Exception {
        try (WorkerClient client = WorkerClient.connect()) {
            assertEquals(12, client.info().getKvTotalBlocks());
            List<GenerateRequest> requests = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                requests.add(request("preempt-" + i, prompt(30 + i, 40 + i), greedy(100)));
            }
            List<Generation> alone = new ArrayList<>();
            for (GenerateRequest request : requests) {
                alone.add(client.generate(request));
            }
            assertEquals(0, batcher.preemptions(), "one at a time, every request fits");

            List<Stream> streams = new ArrayList<>();
            for (GenerateRequest request : requests) {
                streams.add(client.start(request.toBuilder().setRequestId(request.getRequestId() + "-together").build()));
            }
            for (int i = 0; i < streams.size(); i++) {
                Generation together = streams.get(i).await(Duration.ofSeconds(60));
                assertEquals(alone.get(i).tokens(), together.tokens(), "request " + i + ": no token lost, repeated or changed");
                assertEquals(FinishReason.FINISH_REASON_LENGTH, together.finishReason());
            }
            assertTrue(batcher.preemptions() > 0, "the pool ran out mid-decode, so sequences were preempted");
            client.awaitIdle();
        }
    }

    @Test
    void aRequestLargerThanThePoolIsRefusedAtOnce() throws Exception {
        try (WorkerClient client = WorkerClient.connect()) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> client.generate(request("too-large", prompt(100, 50), greedy(100))));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription().contains("max_tokens"), refused.getStatus().getDescription());
            client.awaitIdle();
        }
    }
}
