package dev.tandem.decode.batching;

import static dev.tandem.testing.worker.WorkerClient.greedy;
import static dev.tandem.testing.worker.WorkerClient.prompt;
import static dev.tandem.testing.worker.WorkerClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.tandem.testing.worker.WorkerClient;
import dev.tandem.testing.worker.WorkerClient.Generation;
import io.quarkus.test.junit.QuarkusTest;

/** A prompt whose start this worker has seen is not recomputed, and what it generates does not change. */
@QuarkusTest
class PrefixCachingTest {

    @Test
    void aRepeatedPromptIsServedFromTheCacheWithTheSameTokens() throws Exception {
        try (WorkerClient client = WorkerClient.connect()) {
            int[] system = prompt(100, 71);
            int[] first = IntStream.concat(IntStream.of(system), IntStream.of(prompt(9, 72))).toArray();
            int[] second = IntStream.concat(IntStream.of(system), IntStream.of(prompt(13, 73))).toArray();

            Generation cold = client.generate(request("prefix-cold", first, greedy(20)));
            Generation again = client.generate(request("prefix-again", first, greedy(20)));
            Generation sharedSystem = client.generate(request("prefix-shared", second, greedy(20)));

            assertEquals(0, cold.messages().getFirst().getCachedTokens(), "nothing cached yet");
            assertEquals(first.length / 16 * 16, again.messages().getFirst().getCachedTokens(),
                    "every full block of the repeated prompt came from the cache");
            assertEquals(cold.tokens(), again.tokens(), "and it generates the same tokens");
            assertEquals(system.length / 16 * 16, sharedSystem.messages().getFirst().getCachedTokens(),
                    "a shared start is found whatever follows it");
            assertTrue(again.messages().stream().skip(1).allMatch(message -> message.getCachedTokens() == 0),
                    "reported once, on the first message");
            client.awaitIdle(); // cached blocks nobody holds count as free
        }
    }
}
