package dev.tandem.frontend.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.tandem.frontend.routing.WorkerEndpoint;
import dev.tandem.protocol.grpc.KvHandle;
import dev.tandem.protocol.grpc.PrefillRequest;
import dev.tandem.protocol.grpc.PrefillResponse;
import io.grpc.Status;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;

class PrefillClientTest {

    private static final PrefillRequest REQUEST = PrefillRequest.newBuilder().setRequestId("req-2").build();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final PrefillClient client = new PrefillClient();

    private static FakeWorker answering(int firstToken) throws Exception {
        return new FakeWorker(null, (request, out) -> {
            out.onNext(PrefillResponse.newBuilder().setFirstTokenId(firstToken)
                    .setKvHandle(KvHandle.newBuilder().setHandleId("h-" + firstToken)).build());
            out.onCompleted();
        });
    }

    @Test
    void theFirstReachableWorkerRunsThePrompt() throws Exception {
        WorkerEndpoint dead = FakeWorker.unreachable();
        try (FakeWorker live = answering(42)) {
            var prefilled = client.prefill(REQUEST, List.of(dead, live.endpoint), Context.root(), new RequestWorkers("req-2"),
                    worker -> {
                    }).subscribe().withSubscriber(UniAssertSubscriber.create()).awaitItem(WAIT).getItem();
            assertEquals(42, prefilled.response().getFirstTokenId());
            assertEquals(live.endpoint, prefilled.worker());
            assertFalse(dead.reachable());
        }
    }

    @Test
    void noReachableWorkerAnswersNullForAggregatedServing() throws Exception {
        var prefilled = client.prefill(REQUEST, List.of(FakeWorker.unreachable()), Context.root(), new RequestWorkers("req-2"),
                worker -> {
                }).subscribe().withSubscriber(UniAssertSubscriber.create()).awaitItem(WAIT).getItem();
        assertNull(prefilled);
    }

    @Test
    void aRefusalIsNotFailedOver() throws Exception {
        try (FakeWorker busy = new FakeWorker(null, (request, out) -> out.onError(
                        Status.RESOURCE_EXHAUSTED.withDescription("queue full").asRuntimeException()));
                FakeWorker spare = answering(1)) {
            Throwable failure = client.prefill(REQUEST, List.of(busy.endpoint, spare.endpoint), Context.root(),
                    new RequestWorkers("req-2"), worker -> {
                    }).subscribe().withSubscriber(UniAssertSubscriber.create()).awaitFailure(WAIT).getFailure();
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, Status.fromThrowable(failure).getCode());
            assertTrue(busy.endpoint.reachable());
        }
    }

    @Test
    void aHeldHandleIsReleasedWhenTheRequestEndsEarly() throws Exception {
        try (FakeWorker worker = answering(5)) {
            RequestWorkers reached = new RequestWorkers("req-2");
            client.prefill(REQUEST, List.of(worker.endpoint), Context.root(), reached, w -> {
            }).await().atMost(WAIT);
            reached.cancelAll();
            assertTrue(worker.cancelCalled.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(List.of("req-2"), List.copyOf(worker.cancelled));
        }
    }
}
