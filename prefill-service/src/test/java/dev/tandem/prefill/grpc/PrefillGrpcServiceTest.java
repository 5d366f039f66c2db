package dev.tandem.prefill.grpc;

import static dev.tandem.testing.worker.WorkerClient.greedy;
import static io.restassured.RestAssured.given;
import static dev.tandem.testing.worker.WorkerClient.ids;
import static dev.tandem.testing.worker.WorkerClient.prompt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import dev.tandem.model.SyntheticModel;
import dev.tandem.protocol.grpc.CancelRequest;
import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.protocol.grpc.KvChunk;
import dev.tandem.protocol.grpc.KvHandle;
import dev.tandem.protocol.grpc.PrefillRequest;
import dev.tandem.protocol.grpc.PrefillResponse;
import dev.tandem.protocol.grpc.PullKvRequest;
import dev.tandem.protocol.grpc.SamplingParams;
import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.protocol.grpc.WorkerRole;
import dev.tandem.testing.worker.WorkerClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;

/** The prefill worker's contract over real gRPC: Prefill, the KV handle it returns, PullKv, Info and Cancel. */
@QuarkusTest
class PrefillGrpcServiceTest {

    private static final int BLOCK_SIZE = 16;
    private static final int KV_DIM = SyntheticModel.KV_HEADS * (SyntheticModel.DIM / SyntheticModel.HEADS);


    private WorkerClient client;

    @BeforeEach
    void connect() {
        client = WorkerClient.connect();
    }

    @AfterEach
    void leavesNothingHeld() throws InterruptedException {
        // Every test frees what it made the worker hold, so the exact counts asserted elsewhere hold in any order.
        try {
            client.awaitIdle();
        } finally {
            client.close();
        }
    }

    private PrefillResponse prefill(String requestId, int[] prompt, SamplingParams sampling) {
        return client.prefill().prefill(PrefillRequest.newBuilder()
                .setRequestId(requestId)
                .addAllPromptTokenIds(ids(prompt))
                .setSampling(sampling)
                .build());
    }

    private List<KvChunk> pull(KvHandle handle) {
        return pull(handle, 0);
    }

    private List<KvChunk> pull(KvHandle handle, int fromBlock) {
        List<KvChunk> chunks = new ArrayList<>();
        client.prefill().pullKv(PullKvRequest.newBuilder().setHandleId(handle.getHandleId()).setFromBlock(fromBlock).build())
                .forEachRemaining(chunks::add);
        return chunks;
    }

    private PrefillResponse prefill(String requestId, int[] prompt, SamplingParams sampling, int n) {
        return client.prefill().prefill(PrefillRequest.newBuilder()
                .setRequestId(requestId)
                .addAllPromptTokenIds(ids(prompt))
                .setSampling(sampling)
                .setN(n)
                .build());
    }

    @Test
    void nChoicesShareOnePromptRunEachDrawingItsFirstTokenAsALoneRequestWithItsSeedWould() {
        // under one block: every prefill of it computes the same logits from scratch, bit for bit
        int[] prompt = prompt(12, 40);
        SamplingParams sampled = SamplingParams.newBuilder().setTemperature(1.5f).setTopP(1).setSeed(7).setMaxTokens(16).setIgnoreEos(true)
                .setTopLogprobs(2).build();
        double computedBefore = metric("dynamo_component_prefill_computed_tokens_total");
        double cachedBefore = metric("dynamo_component_prefill_cached_tokens_total");

        PrefillResponse shared = prefill("shared", prompt, sampled, 4);

        assertEquals(12, metric("dynamo_component_prefill_computed_tokens_total") - computedBefore
                + metric("dynamo_component_prefill_cached_tokens_total") - cachedBefore, "the prompt ran once");
        assertEquals(3, shared.getChoicesCount(), "choices 1..3 besides choice 0's own fields");
        assertEquals(1, client.info().getPendingKvHandles(), "one handle for all of them");
        for (int i = 0; i < 4; i++) {
            PrefillResponse alone = prefill("alone-" + i, prompt, sampled.toBuilder().setSeed(7 + i).setMaxTokens(1).build());
            int first = i == 0 ? shared.getFirstTokenId() : shared.getChoices(i - 1).getFirstTokenId();
            var logprob = i == 0 ? shared.getFirstLogprob() : shared.getChoices(i - 1).getFirstLogprob();
            assertEquals(alone.getFirstTokenId(), first, "choice " + i + " draws with seed 7 + " + i);
            assertEquals(alone.getFirstLogprob(), logprob, "and has its own first logprobs");
            assertEquals(FinishReason.FINISH_REASON_UNSPECIFIED,
                    i == 0 ? shared.getFinishReason() : shared.getChoices(i - 1).getFinishReason());
        }

        for (int i = 0; i < 4; i++) {
            assertEquals(1, pull(shared.getKvHandle()).size(), "pull " + i + " of one per choice");
        }
        assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class,
                () -> pull(shared.getKvHandle())).getStatus().getCode(), "no fifth pull");
        client.awaitInfo("the last pull freed the KV", Duration.ofSeconds(2),
                info -> info.getKvUsedBlocks() == 0 && info.getPendingKvHandles() == 0);
    }

    @Test
    void choicesThatAllFinishOnTheirFirstTokenLeaveNoHandle() {
        PrefillResponse response = prefill("all-done", prompt(40, 41), greedy(1), 3);

        assertEquals(FinishReason.FINISH_REASON_LENGTH, response.getFinishReason());
        assertEquals(2, response.getChoicesCount());
        response.getChoicesList().forEach(choice -> assertEquals(FinishReason.FINISH_REASON_LENGTH, choice.getFinishReason()));
        assertFalse(response.hasKvHandle());
        assertEquals(0, client.info().getKvUsedBlocks());
    }

    @Test
    void aCancelUnderAnyChoiceIdFreesTheSharedKv() {
        KvHandle handle = prefill("cancel-shared", prompt(40, 42), greedy(16), 3).getKvHandle();
        pull(handle);
        assertEquals(1, client.info().getPendingKvHandles(), "two pulls still owed");

        assertTrue(client.worker().cancel(CancelRequest.newBuilder().setRequestId("cancel-shared-2").build()).getFound());

        WorkerInfo info = client.info();
        assertEquals(0, info.getKvUsedBlocks());
        assertEquals(0, info.getPendingKvHandles());
        assertEquals(Status.Code.NOT_FOUND,
                assertThrows(StatusRuntimeException.class, () -> pull(handle)).getStatus().getCode());
    }

    @Test
    void aPullFromABlockSendsTheBlocksFromThereOn() {
        KvHandle handle = prefill("from-block", prompt(40, 43), greedy(16), 2).getKvHandle();
        List<KvChunk> whole = pull(handle);
        List<KvChunk> tail = pull(handle, 2);

        assertEquals(3, whole.size());
        assertEquals(1, tail.size(), "the puller holds blocks 0 and 1");
        assertEquals(2, tail.getFirst().getBlockIndex());
        assertEquals(8, tail.getFirst().getNumTokens());
        assertEquals(whole.get(2), tail.getFirst());
    }

    @Test
    void infoDescribesThePrefillWorker() {
        WorkerInfo info = client.info();
        assertEquals(WorkerRole.WORKER_ROLE_PREFILL, info.getRole());
        assertEquals(SyntheticModel.NAME, info.getServedModelName());
        assertEquals(SyntheticModel.CONTEXT_LENGTH, info.getContextLength());
        assertEquals(SyntheticModel.VOCAB_SIZE, info.getVocabSize());
        assertEquals(BLOCK_SIZE, info.getKvBlockSize());
        assertTrue(info.getKvTotalBlocks() > 0, "a KV pool");
        assertFalse(info.getWorkerId().isEmpty(), "a worker id");
    }

    @Test
    void prefillHoldsTheKvUnderAHandleThatOnePullStreamsAndFrees() {
        PrefillResponse response = prefill("prefill-pull", prompt(40, 1), greedy(16));

        assertEquals(FinishReason.FINISH_REASON_UNSPECIFIED, response.getFinishReason(), "the request goes on to decode");
        assertTrue(response.getFirstTokenId() >= 0 && response.getFirstTokenId() < SyntheticModel.VOCAB_SIZE);
        assertTrue(response.getTimings().getPrefillUs() > 0, "prefill time reported");
        assertTrue(response.hasKvHandle());
        KvHandle handle = response.getKvHandle();
        assertFalse(handle.getHandleId().isEmpty());
        assertEquals(40, handle.getNumTokens(), "the KV covers the prompt");
        assertEquals(3, handle.getNumBlocks(), "ceil(40 / 16)");
        assertEquals("127.0.0.1:" + WorkerClient.grpcPort(), handle.getWorkerAddress(), "where a decode worker can dial back");
        WorkerInfo held = client.info();
        assertEquals(handle.getWorkerId(), held.getWorkerId());
        assertTrue(held.getKvUsedBlocks() >= 3, "the prompt's blocks are held: " + held);
        assertEquals(1, held.getPendingKvHandles());

        List<KvChunk> chunks = pull(handle);

        assertEquals(3, chunks.size(), "one chunk per block");
        int[] tokensPerBlock = {16, 16, 8};
        for (int block = 0; block < chunks.size(); block++) {
            KvChunk chunk = chunks.get(block);
            assertEquals(block, chunk.getBlockIndex(), "blocks in order");
            assertEquals(tokensPerBlock[block], chunk.getNumTokens());
            int bytes = SyntheticModel.LAYERS * chunk.getNumTokens() * KV_DIM * Float.BYTES;
            assertEquals(bytes, chunk.getKeys().size(), "keys of block " + block + ": layers x tokens x kvDim floats");
            assertEquals(bytes, chunk.getValues().size(), "values of block " + block);
            assertEquals(SyntheticModel.LAYERS, chunk.getLayout().getNumLayers());
            assertEquals(KV_DIM, chunk.getLayout().getKvDim());
            assertEquals(BLOCK_SIZE, chunk.getLayout().getBlockSize());
            assertNotEquals(ByteString.copyFrom(new byte[bytes]), chunk.getKeys(), "the prefill wrote block " + block);
        }
        WorkerInfo after = client.awaitInfo("the pulled KV is freed", Duration.ofSeconds(2),
                info -> info.getKvUsedBlocks() == 0);
        assertEquals(0, after.getPendingKvHandles());

        // A handle is good for one pull: the blocks are gone.
        StatusRuntimeException again = assertThrows(StatusRuntimeException.class, () -> pull(handle));
        assertEquals(Status.Code.NOT_FOUND, again.getStatus().getCode());
        assertTrue(again.getStatus().getDescription().contains(handle.getHandleId()), again.getStatus().getDescription());
    }

    @Test
    void theKvIsAFunctionOfThePromptOnly() {
        // Two prefills of one prompt hold identical KV, and a prompt sharing the first block with it shares that
        // block's KV (attention is causal): what lets a decode worker continue from KV computed elsewhere.
        int[] prompt = prompt(40, 2);
        int[] samePrefix = prompt.clone();
        samePrefix[39] = samePrefix[39] == 100 ? 101 : 100;
        samePrefix[20] = samePrefix[20] == 100 ? 101 : 100;
        List<KvChunk> first = pull(prefill("same-1", prompt, greedy(16)).getKvHandle());
        List<KvChunk> second = pull(prefill("same-2", prompt, greedy(16)).getKvHandle());
        List<KvChunk> other = pull(prefill("same-3", samePrefix, greedy(16)).getKvHandle());

        for (int block = 0; block < 3; block++) {
            assertEquals(first.get(block).getKeys(), second.get(block).getKeys(), "keys of block " + block);
            assertEquals(first.get(block).getValues(), second.get(block).getValues(), "values of block " + block);
        }
        assertEquals(first.get(0).getKeys(), other.get(0).getKeys(), "block 0 only sees the shared tokens");
        assertFalse(first.get(1).getKeys().equals(other.get(1).getKeys()), "block 1 holds the differing token");
    }

    @Test
    void aRepeatedPromptComesFromThePrefixCache() {
        int[] prompt = prompt(60, 30);
        double computedBefore = metric("dynamo_component_prefill_computed_tokens_total");
        double cachedBefore = metric("dynamo_component_prefill_cached_tokens_total");
        PrefillResponse cold = prefill("cache-cold", prompt, greedy(16));
        List<KvChunk> coldKv = pull(cold.getKvHandle());
        PrefillResponse warm = prefill("cache-warm", prompt, greedy(16));
        List<KvChunk> warmKv = pull(warm.getKvHandle());

        assertEquals(0, cold.getCachedTokens());
        assertEquals(48, warm.getCachedTokens(), "the three full blocks; the last, partial one is computed");
        assertEquals(cold.getFirstTokenId(), warm.getFirstTokenId());
        assertEquals(coldKv, warmKv, "the same KV, cached blocks and computed ones alike");
        assertEquals(60 + 12, metric("dynamo_component_prefill_computed_tokens_total") - computedBefore);
        assertEquals(48, metric("dynamo_component_prefill_cached_tokens_total") - cachedBefore);
    }

    /** The sum of a counter's samples on /metrics. */
    private static double metric(String name) {
        return given().when().get("/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void aFirstTokenThatFinishesTheRequestLeavesNoHandle() {
        PrefillResponse response = prefill("prefill-one", prompt(40, 3), greedy(1));

        assertEquals(FinishReason.FINISH_REASON_LENGTH, response.getFinishReason(), "max_tokens counts the first token");
        assertFalse(response.hasKvHandle());
        WorkerInfo info = client.info();
        assertEquals(0, info.getKvUsedBlocks(), "freed before answering");
        assertEquals(0, info.getPendingKvHandles());
    }

    @Test
    void aStopTokenIdAsFirstTokenFinishesWithStop() {
        int[] prompt = prompt(24, 4);
        int first = prefill("stop-probe", prompt, greedy(1)).getFirstTokenId();

        PrefillResponse response = prefill("stop", prompt, greedy(16).toBuilder().addStopTokenIds(first).build());

        assertEquals(first, response.getFirstTokenId(), "greedy is deterministic");
        assertEquals(FinishReason.FINISH_REASON_STOP, response.getFinishReason());
        assertFalse(response.hasKvHandle());
    }

    @Test
    void cancelFreesAHeldHandleAtOnce() {
        // Here rather than with the expiry tests: under the default 30 s timeout the handle cannot expire on its
        // own, so 0 blocks right after Cancel can only be Cancel's doing.
        KvHandle handle = prefill("to-cancel", prompt(40, 5), greedy(16)).getKvHandle();
        assertEquals(1, client.info().getPendingKvHandles());

        assertTrue(client.worker().cancel(CancelRequest.newBuilder().setRequestId("to-cancel").build()).getFound());

        WorkerInfo info = client.info();
        assertEquals(0, info.getKvUsedBlocks());
        assertEquals(0, info.getPendingKvHandles());
        assertFalse(client.worker().cancel(CancelRequest.newBuilder().setRequestId("to-cancel").build()).getFound(),
                "nothing left to cancel");
        assertEquals(Status.Code.NOT_FOUND,
                assertThrows(StatusRuntimeException.class, () -> pull(handle)).getStatus().getCode());
    }

    @Test
    void cancelOfAnUnknownRequestFindsNothing() {
        assertFalse(client.worker().cancel(CancelRequest.newBuilder().setRequestId("never-seen").build()).getFound());
    }

    @Test
    void aRequestCancelledWhileWaitingForTheEngineIsDroppedUnrun() throws Exception {
        // The engine runs one prompt at a time: a long prompt keeps it busy (about half a second) while a short one
        // waits behind it and is cancelled there.
        var busy = client.prefillAsync().prefill(PrefillRequest.newBuilder().setRequestId("busy")
                .addAllPromptTokenIds(ids(prompt(2000, 9))).setSampling(greedy(1)).build());
        client.awaitInfo("the long prompt is in", Duration.ofSeconds(5), info -> info.getInflightRequests() == 1);
        var waiting = client.prefillAsync().prefill(PrefillRequest.newBuilder().setRequestId("waiting")
                .addAllPromptTokenIds(ids(prompt(40, 10))).setSampling(greedy(16)).build());
        client.awaitInfo("the short prompt queues behind it", Duration.ofSeconds(5),
                info -> info.getInflightRequests() == 2);

        assertTrue(client.worker().cancel(CancelRequest.newBuilder().setRequestId("waiting").build()).getFound());

        ExecutionException dropped = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
        assertEquals(Status.Code.CANCELLED, Status.fromThrowable(dropped.getCause()).getCode());
        assertEquals(FinishReason.FINISH_REASON_LENGTH, busy.get(10, TimeUnit.SECONDS).getFinishReason(),
                "the running prompt is not disturbed");
        assertEquals(0, client.info().getInflightRequests());
    }

    @Test
    void invalidSamplingValuesAreRefused() {
        for (SamplingParams sampling : List.of(greedy(16).toBuilder().setTemperature(-1).build(),
                greedy(16).toBuilder().setTemperature(Float.NaN).build(), greedy(-3))) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> prefill("bad-sampling", prompt(10, 11), sampling));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), sampling.toString());
            assertTrue(refused.getStatus().getDescription().matches(".*(temperature|max_tokens) must be.*"),
                    refused.getStatus().getDescription());
        }
    }

    @Test
    void anEmptyPromptIsRefused() {
        assertInvalid(new int[0], "no tokens");
    }

    @Test
    void aTokenIdOutsideTheVocabularyIsRefused() {
        int[] prompt = prompt(10, 6);
        prompt[5] = SyntheticModel.VOCAB_SIZE;
        assertInvalid(prompt, "token id 260 is outside the vocabulary (0..259)");
        prompt[5] = -1;
        assertInvalid(prompt, "token id -1 is outside the vocabulary");
    }

    @Test
    void aPromptThatFillsTheContextIsRefused() {
        // The context must keep room for at least the first generated token.
        assertInvalid(prompt(SyntheticModel.CONTEXT_LENGTH, 7), "the prompt has 2048 tokens");
    }

    private void assertInvalid(int[] prompt, String description) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> prefill("invalid", prompt, greedy(16)));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains(description),
                "'" + refused.getStatus().getDescription() + "' says: " + description);
        assertEquals(0, client.info().getKvUsedBlocks(), "refused before touching the KV pool");
    }

    @Test
    void aPromptOfExactlyOneBlockStreamsOneFullChunk() {
        // No empty trailing chunk when the prompt ends on a block boundary.
        KvHandle handle = prefill("one-block", prompt(16, 8), greedy(16)).getKvHandle();
        assertEquals(1, handle.getNumBlocks());
        List<KvChunk> chunks = pull(handle);
        assertEquals(1, chunks.size());
        assertEquals(16, chunks.getFirst().getNumTokens());
    }
}
