package dev.tandem.frontend.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.frontend.routing.WorkerEndpoint;
import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.protocol.grpc.GenerateResponse;
import io.grpc.Status;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;

class DecodeClientTest {

    private static final GenerateRequest REQUEST = GenerateRequest.newBuilder().setRequestId("req-1").build();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final DecodeClient client = new DecodeClient();

    @Test
    void anUnreachableWorkerIsSkippedForTheNext() throws Exception {
        WorkerEndpoint dead = FakeWorker.unreachable();
        try (FakeWorker live = new FakeWorker((request, out) -> {
            out.onNext(FakeWorker.tokens(1, 2));
            out.onNext(GenerateResponse.newBuilder().addTokenIds(3).setFinishReason(FinishReason.FINISH_REASON_LENGTH).build());
            out.onCompleted();
        }, null)) {
            List<WorkerEndpoint> tried = new ArrayList<>();
            var tokens = client.generate(REQUEST, List.of(dead, live.endpoint), Context.root(), new RequestWorkers("req-1"),
                    tried::add).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
            tokens.awaitCompletion(WAIT);
            assertEquals(List.of(List.of(1, 2), List.of(3)), tokens.getItems().stream().map(TokenChunk::tokenIds).toList());
            assertEquals(List.of(dead, live.endpoint), tried);
            assertFalse(dead.reachable());
            assertTrue(live.endpoint.reachable());
        }
    }

    @Test
    void noFailoverOnceTokensHaveArrived() throws Exception {
        try (FakeWorker failing = new FakeWorker((request, out) -> {
                    out.onNext(FakeWorker.tokens(7));
                    out.onError(Status.UNAVAILABLE.withDescription("worker lost").asRuntimeException());
                }, null);
                FakeWorker spare = new FakeWorker((request, out) -> out.onCompleted(), null)) {
            var tokens = client.generate(REQUEST, List.of(failing.endpoint, spare.endpoint), Context.root(),
                    new RequestWorkers("req-1"), worker -> {
                    }).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
            tokens.awaitFailure(WAIT);
            assertEquals(1, tokens.getItems().size());
            assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(tokens.getFailure()).getCode());
            assertEquals(0, spare.generateCalls);
        }
    }

    @Test
    void noReachableWorkerIsAServiceUnavailableError() throws Exception {
        var tokens = client.generate(REQUEST, List.of(FakeWorker.unreachable(), FakeWorker.unreachable()), Context.root(),
                new RequestWorkers("req-1"), worker -> {
                }).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        tokens.awaitFailure(WAIT);
        OpenAiException error = assertInstanceOf(OpenAiException.class, tokens.getFailure());
        assertEquals(503, error.status());
        assertTrue(error.getMessage().startsWith("No decode worker reachable"), error.getMessage());
    }

    @Test
    void cancellingTheStreamCancelsTheCallAndTellsTheWorker() throws Exception {
        try (FakeWorker worker = new FakeWorker((request, out) -> out.onNext(FakeWorker.tokens(1)), null)) {
            RequestWorkers reached = new RequestWorkers("req-1");
            var tokens = client.generate(REQUEST, List.of(worker.endpoint), Context.root(), reached, w -> {
            }).onCancellation().invoke(reached::cancelAll).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
            tokens.awaitItems(1, WAIT);
            tokens.cancel();
            assertTrue(worker.streamCancelled.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the gRPC stream is cancelled");
            assertTrue(worker.cancelCalled.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the worker is told to cancel");
            assertEquals(List.of("req-1"), List.copyOf(worker.cancelled));
        }
    }
}
