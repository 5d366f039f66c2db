package dev.tandem.decode.batching;

import static dev.tandem.testing.worker.WorkerClient.greedy;
import static dev.tandem.testing.worker.WorkerClient.prompt;
import static dev.tandem.testing.worker.WorkerClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tandem.testing.worker.WorkerClient;
import dev.tandem.testing.worker.WorkerClient.Generation;
import dev.tandem.testing.worker.WorkerClient.Stream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@code tandem.decode.max-batch-size} caps a step; sequences beyond it wait for a slot rather than fail. */
@QuarkusTest
@TestProfile(MaxBatchSizeTest.BatchOfTwo.class)
class MaxBatchSizeTest {

    public static class BatchOfTwo implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tandem.decode.max-batch-size", "2");
        }
    }


    @Test
    void sequencesBeyondTheCapWaitForASlot() throws Exception {
        try (WorkerClient client = WorkerClient.connect()) {
            assertEquals(2, client.info().getMaxBatchSize());
            List<Stream> streams = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                streams.add(client.start(request("capped-" + i, prompt(30, i), greedy(150))));
            }
            for (int i = 0; i < 5; i++) {
                Generation generation = streams.get(i).await(Duration.ofSeconds(30));
                assertEquals(150, generation.tokens().size(), "sequence " + i);
                assertTrue(generation.timings().stream().allMatch(timing -> timing.getBatchSize() <= 2),
                        "sequence " + i + " never in a step of more than two");
            }
            client.awaitIdle();
        }
    }
}
