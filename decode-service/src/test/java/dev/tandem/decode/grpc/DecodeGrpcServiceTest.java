package dev.tandem.decode.grpc;

import static dev.tandem.testing.worker.WorkerClient.greedy;
import static dev.tandem.testing.worker.WorkerClient.prompt;
import static dev.tandem.testing.worker.WorkerClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tandem.model.SyntheticModel;
import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.protocol.grpc.GenerateResponse;
import dev.tandem.protocol.grpc.KvHandle;
import dev.tandem.protocol.grpc.SamplingParams;
import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.protocol.grpc.WorkerRole;
import dev.tandem.testing.worker.WorkerClient;
import dev.tandem.testing.worker.WorkerClient.Generation;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;

/** The decode worker's Generate stream in aggregated mode (it prefills the prompt itself), over real gRPC. */
@QuarkusTest
class DecodeGrpcServiceTest {


    private WorkerClient client;

    @BeforeEach
    void connect() {
        client = WorkerClient.connect();
    }

    @AfterEach
    void leavesNothingBehind() throws InterruptedException {
        // A finished stream's KV is freed and its sequence gone from the batch, whatever way it ended.
        try {
            client.awaitIdle();
        } finally {
            client.close();
        }
    }

    @Test
    void infoDescribesTheDecodeWorker() {
        WorkerInfo info = client.info();
        assertEquals(WorkerRole.WORKER_ROLE_DECODE, info.getRole());
        assertEquals(SyntheticModel.NAME, info.getServedModelName());
        assertEquals(SyntheticModel.CONTEXT_LENGTH, info.getContextLength());
        assertEquals(SyntheticModel.VOCAB_SIZE, info.getVocabSize());
        assertEquals(16, info.getKvBlockSize());
        assertEquals(32, info.getMaxBatchSize(), "the default");
        assertEquals(0, info.getPendingKvHandles(), "a prefill-only field");
    }

    @Test
    void streamsMaxTokensTokensThenTheFinishReason() throws Exception {
        Generation generation = client.generate(request("greedy-12", prompt(40, 1), greedy(12)));

        assertEquals(12, generation.tokens().size(), "max_tokens counts every token, the first included");
        assertEquals(FinishReason.FINISH_REASON_LENGTH, generation.finishReason());
        List<GenerateResponse> messages = generation.messages();
        GenerateResponse last = messages.getLast();
        assertEquals(0, last.getTokenIdsCount(), "the finish reason comes alone, on the last message");
        messages.subList(0, messages.size() - 1).forEach(message -> {
            assertEquals(FinishReason.FINISH_REASON_UNSPECIFIED, message.getFinishReason(), "only the last message ends");
            assertEquals(message.getTokenIdsCount(), message.getTokenTimingsCount(), "one timing per token");
        });
        assertTrue(generation.tokens().stream().allMatch(id -> id >= 0 && id < SyntheticModel.VOCAB_SIZE));
        assertTrue(generation.timings().stream().allMatch(timing -> timing.getBatchSize() >= 1 && timing.getEmittedAtUs() > 0));
        assertTrue(messages.getFirst().hasTimings(), "timings on the first message");
        assertEquals(0, client.info().getKvUsedBlocks(), "freed before the stream ended");
    }

    @Test
    void greedyDecodingIsDeterministic() throws Exception {
        Generation first = client.generate(request("again-1", prompt(40, 2), greedy(12)));
        Generation second = client.generate(request("again-2", prompt(40, 2), greedy(12)));

        assertEquals(first.tokens(), second.tokens());
    }

    @Test
    void aLogitBiasOf100ForcesItsToken() throws Exception {
        int[] prompt = prompt(12, 5);
        List<Integer> tokens = client.generate(request("bias", prompt, greedy(8).toBuilder()
                .setIgnoreEos(true).putLogitBias(77, 100f).build())).tokens();
        assertEquals(List.of(77, 77, 77, 77, 77, 77, 77, 77), tokens);
    }

    @Test
    void penaltiesChangeGreedyDecodingAwayFromRepeats() throws Exception {
        int[] prompt = prompt(12, 6);
        var plain = greedy(48).toBuilder().setIgnoreEos(true).build();
        List<Integer> repeated = client.generate(request("plain", prompt, plain)).tokens();
        List<Integer> penalised = client.generate(request("penalised", prompt,
                plain.toBuilder().setFrequencyPenalty(2f).setPresencePenalty(2f).setRepetitionPenalty(2f).build())).tokens();
        assertNotEquals(repeated, penalised);
        // a strong enough presence penalty makes the greedy choice a token not generated before, while there is one
        assertTrue(new HashSet<>(penalised).size() > new HashSet<>(repeated).size(),
                repeated + " vs " + penalised);
    }

    @Test
    void seededSamplingIsReproducible() throws Exception {
        SamplingParams seeded = SamplingParams.newBuilder().setTemperature(0.9f).setSeed(7).setMaxTokens(24)
                .setIgnoreEos(true).build();

        Generation first = client.generate(request("seed-1", prompt(40, 3), seeded));
        Generation second = client.generate(request("seed-2", prompt(40, 3), seeded));
        Generation otherSeed = client.generate(request("seed-3", prompt(40, 3), seeded.toBuilder().setSeed(8).build()));
        Generation greedy = client.generate(request("seed-4", prompt(40, 3), greedy(24)));

        assertEquals(24, first.tokens().size());
        assertEquals(first.tokens(), second.tokens(), "same seed, same tokens");
        assertNotEquals(first.tokens(), otherSeed.tokens(), "the seed drives the sampling");
        assertNotEquals(first.tokens(), greedy.tokens(), "temperature 0.9 is not greedy");
    }

    @Test
    void aStopTokenIdEndsTheSequenceAfterEmittingIt() throws Exception {
        List<Integer> free = client.generate(request("stop-probe", prompt(40, 4), greedy(12))).tokens();
        int stop = free.get(5);
        int stopAt = free.indexOf(stop);

        Generation stopped = client.generate(request("stop", prompt(40, 4), greedy(12).toBuilder()
                .addStopTokenIds(stop).build()));

        assertEquals(free.subList(0, stopAt + 1), stopped.tokens(), "up to and including the stop token");
        assertEquals(FinishReason.FINISH_REASON_STOP, stopped.finishReason());
    }

    @Test
    void oneTokenIsJustThePrefill() throws Exception {
        // max_tokens 1 ends right after the prompt's own token, without ever joining a decode step.
        Generation generation = client.generate(request("one", prompt(40, 5), greedy(1)));

        assertEquals(1, generation.tokens().size());
        assertEquals(FinishReason.FINISH_REASON_LENGTH, generation.finishReason());
    }

    @Test
    void generationStopsWhenTheContextIsFull() throws Exception {
        // max_tokens beyond the context: the sequence ends with LENGTH once prompt + generated fill it.
        int promptLength = SyntheticModel.CONTEXT_LENGTH - 5;
        Generation generation = client.generate(request("full", prompt(promptLength, 6), greedy(100)));

        assertEquals(5, generation.tokens().size(), "prompt + generated = the context");
        assertEquals(FinishReason.FINISH_REASON_LENGTH, generation.finishReason());
    }

    @Test
    void invalidPromptsAreRefusedWithAReason() {
        int[] outside = prompt(10, 7);
        outside[3] = SyntheticModel.VOCAB_SIZE;
        assertInvalid(new int[0], "no tokens");
        assertInvalid(outside, "token id 260 is outside the vocabulary (0..259)");
        assertInvalid(prompt(SyntheticModel.CONTEXT_LENGTH, 8), "the prompt has 2048 tokens");
    }

    @Test
    void invalidSamplingValuesAreRefused() {
        for (SamplingParams sampling : List.of(greedy(16).toBuilder().setTemperature(-1).build(),
                greedy(16).toBuilder().setTemperature(Float.NaN).build(), greedy(-3))) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> client.generate(request("bad-sampling", prompt(10, 11), sampling)));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), sampling.toString());
            assertTrue(refused.getStatus().getDescription().matches(".*(temperature|max_tokens) must be.*"),
                    refused.getStatus().getDescription());
        }
    }

    private void assertInvalid(int[] prompt, String description) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> client.generate(request("invalid", prompt, greedy(12))));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains(description),
                "'" + refused.getStatus().getDescription() + "' says: " + description);
    }

    @Test
    void anUnreachablePrefillWorkerFailsTheStreamAndFreesTheReservedKv() {
        // Disaggregated mode where the KV cannot be pulled: the caller hears why, and the blocks reserved for the
        // transfer go back to the pool (checked after each test).
        GenerateRequest request = request("unreachable", prompt(40, 9), greedy(12)).toBuilder()
                .setFirstTokenId(100)
                .setKvSource(KvHandle.newBuilder().setHandleId("h").setWorkerAddress("127.0.0.1:1").setWorkerId("gone")
                        .setNumTokens(40).setNumBlocks(3))
                .build();

        StatusRuntimeException failed = assertThrows(StatusRuntimeException.class, () -> client.generate(request));

        // ABORTED, not UNAVAILABLE: the lost KV source is the prefill worker's failure, so the frontend prefills
        // again elsewhere instead of skipping this healthy decode worker (request migration)
        assertEquals(Status.Code.ABORTED, failed.getStatus().getCode());
        assertFalse(client.cancel("unreachable"), "the failed request is forgotten");
    }

    @Test
    void theFirstMessageReportsQueueAndPrefillTime() throws Exception {
        Generation generation = client.generate(request("timings", prompt(200, 10), greedy(4)));

        assertTrue(generation.messages().getFirst().getTimings().getPrefillUs() > 0,
                generation.messages().getFirst().toString());
    }
}
