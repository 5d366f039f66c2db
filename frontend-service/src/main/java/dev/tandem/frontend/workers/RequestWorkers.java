package dev.tandem.frontend.workers;

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
 */
public final class RequestWorkers {

    private static final Logger LOG = Logger.getLogger(RequestWorkers.class);

    private final String requestId;
    private final Set<WorkerEndpoint> reached = ConcurrentHashMap.newKeySet();

    public RequestWorkers(String requestId) {
        this.requestId = requestId;
    }

    public String requestId() {
        return requestId;
    }

    void reached(WorkerEndpoint worker) {
        reached.add(worker);
    }

    public void cancelAll() {
        reached.forEach(this::cancelOn);
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
