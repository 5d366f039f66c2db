package dev.tandem.decode.batching;

import static dev.tandem.testing.worker.WorkerClient.greedy;
import static dev.tandem.testing.worker.WorkerClient.prompt;
import static dev.tandem.testing.worker.WorkerClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.testing.worker.WorkerClient;
import dev.tandem.testing.worker.WorkerClient.Generation;
import dev.tandem.testing.worker.WorkerClient.Stream;
import io.quarkus.test.junit.QuarkusTest;

/** Sequences join and leave the running batch between steps, and batching never changes what a sequence generates. */
@QuarkusTest
class ContinuousBatchingTest {

    /**
     * Long enough that B, started once A has a few tokens, joins while A still runs (a warm step of the synthetic
     * model takes well under a millisecond, so this leaves B a window of a good hundred milliseconds).
     */
    private static final int A_TOKENS = 400;
    private static final int B_TOKENS = 20;


    private WorkerClient client;

    @BeforeEach
    void connect() {
        client = WorkerClient.connect();
    }

    @AfterEach
    void leavesNothingBehind() throws InterruptedException {
        try {
            client.awaitIdle();
        } finally {
            client.close();
        }
    }

    @Test
    void aSequenceJoinsARunningBatchAndBatchingChangesNoToken() throws Exception {
        GenerateRequest a = request("batch-a", prompt(40, 1), greedy(A_TOKENS));
        GenerateRequest b = request("batch-b", prompt(24, 2), greedy(B_TOKENS));
        Generation aAlone = client.generate(a);
        Generation bAlone = client.generate(b);
        assertTrue(aAlone.timings().stream().allMatch(timing -> timing.getBatchSize() == 1), "alone means batch of 1");

        Stream aStream = client.start(a);
        aStream.awaitTokens(5, Duration.ofSeconds(10));
        Generation bJoined = client.start(b).await(Duration.ofSeconds(30));
        Generation aBatched = aStream.await(Duration.ofSeconds(30));

        assertTrue(bJoined.anyStepWithBatchSize(2), "B ran in A's batch: " + bJoined.timings());
        assertTrue(aBatched.anyStepWithBatchSize(2), "A's batch grew to two while B ran");
        assertEquals(1, aBatched.timings().getLast().getBatchSize(), "and shrank back to one once B left");
        assertEquals(bAlone.tokens(), bJoined.tokens(), "greedy B is the same in a batch as alone");
        assertEquals(aAlone.tokens(), aBatched.tokens(), "greedy A is the same with B joining and leaving");
        assertEquals(FinishReason.FINISH_REASON_LENGTH, aBatched.finishReason());
        assertEquals(FinishReason.FINISH_REASON_LENGTH, bJoined.finishReason());
    }

    @Test
    void eightConcurrentSequencesAllFinishWithTheirOwnLength() throws Exception {
        List<Stream> streams = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            streams.add(client.start(request("concurrent-" + i, prompt(20 + 3 * i, 10 + i), greedy(30 + 10 * i))));
        }
        int widest = 0;
        for (int i = 0; i < 8; i++) {
            Generation generation = streams.get(i).await(Duration.ofSeconds(30));
            assertEquals(30 + 10 * i, generation.tokens().size(), "sequence " + i);
            assertEquals(FinishReason.FINISH_REASON_LENGTH, generation.finishReason(), "sequence " + i);
            widest = Math.max(widest, generation.timings().stream().mapToInt(t -> t.getBatchSize()).max().orElse(0));
        }
        assertTrue(widest > 1, "the sequences shared steps");
        assertTrue(widest <= 8, "never more sequences in a step than running: " + widest);
    }
}
