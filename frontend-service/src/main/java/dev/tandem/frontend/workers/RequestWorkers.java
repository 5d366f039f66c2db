package dev.tandem.frontend.workers;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import dev.tandem.frontend.routing.WorkerEndpoint;
import dev.tandem.protocol.grpc.CancelRequest;
import dev.tandem.protocol.grpc.CancelResponse;
import dev.tandem.protocol.grpc.WorkerGrpc;
import dev.tandem.telemetry.RequestIds;
import io.grpc.stub.StreamObserver;

/**
 * The workers one request has reached. A request that ends early (its client left, or a later stage failed) is
 * cancelled here, in one place: each of them is told to drop it — a queued prompt, a running sequence, or KV held
 * for a decode worker that will never pull it. Telling a worker that already finished is harmless.
 *
 * <p>The choices of a request with {@code n > 1} are requests of their own, one prefill call serving them all: a
 * worker that call reaches is reached by each of them, and knows a cancel from any of them by its choice id.
 */
public final class RequestWorkers {

    private static final Logger LOG = Logger.getLogger(RequestWorkers.class);

    private final String requestId;
    private final Set<WorkerEndpoint> reached = ConcurrentHashMap.newKeySet();
    /** The requests a shared call is made for; empty for a request's own calls. */
    private final List<RequestWorkers> sharers;

    public RequestWorkers(String requestId) {
        this(requestId, List.of());
    }

    private RequestWorkers(String requestId, List<RequestWorkers> sharers) {
        this.requestId = requestId;
        this.sharers = sharers;
    }

    /** The workers of one call made for all of {@code requests} (the first names the call). */
    public static RequestWorkers sharedBy(List<RequestWorkers> requests) {
        return new RequestWorkers(requests.getFirst().requestId, List.copyOf(requests));
    }

    public String requestId() {
        return requestId;
    }

    void reached(WorkerEndpoint worker) {
        if (sharers.isEmpty()) {
            reached.add(worker);
        }
        sharers.forEach(request -> request.reached(worker));
    }

    public void cancelAll() {
        reached.forEach(this::cancelOn);
        sharers.forEach(RequestWorkers::cancelAll);
    }

    private void cancelOn(WorkerEndpoint worker) {
        WorkerGrpc.newStub(worker.channel()).withInterceptors(RequestIds.attach(requestId))
                .cancel(CancelRequest.newBuilder().setRequestId(requestId).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(CancelResponse value) {
                    }

                    @Override
                    public void onError(Throwable error) {
                        LOG.debugf("Cancel of %s on %s failed: %s", requestId, worker.address(), error.getMessage());
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
    }
}
