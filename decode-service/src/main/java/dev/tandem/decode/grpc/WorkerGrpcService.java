package dev.tandem.decode.grpc;

import dev.tandem.decode.batching.ContinuousBatcher;
import dev.tandem.worker.grpc.ProtoMapping;
import dev.tandem.telemetry.SpanFields;
import dev.tandem.worker.WorkerRuntime;
import dev.tandem.protocol.grpc.CancelRequest;
import dev.tandem.protocol.grpc.CancelResponse;
import dev.tandem.protocol.grpc.InfoRequest;
import dev.tandem.protocol.grpc.Worker;
import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.protocol.grpc.WorkerRole;
import io.opentelemetry.api.trace.Span;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

@GrpcService
public class WorkerGrpcService implements Worker {

    private final WorkerRuntime runtime;
    private final ContinuousBatcher batcher;

    public WorkerGrpcService(WorkerRuntime runtime, ContinuousBatcher batcher) {
        this.runtime = runtime;
        this.batcher = batcher;
    }

    @Override
    public Uni<WorkerInfo> info(InfoRequest request) {
        return Uni.createFrom().item(ProtoMapping.workerInfo(runtime, WorkerRole.WORKER_ROLE_DECODE)
                .setInflightRequests(batcher.runningCount())
                .setQueuedRequests(batcher.waitingCount())
                .setActivePrefillTokens(batcher.pendingPrefillTokens())
                .setMaxBatchSize(batcher.maxBatchSize())
                .build());
    }

    @Override
    public Uni<CancelResponse> cancel(CancelRequest request) {
        Span.current().setAttribute(SpanFields.X_REQUEST_ID, request.getRequestId()); // the request id is the x-request-id
        return Uni.createFrom().item(CancelResponse.newBuilder().setFound(batcher.cancel(request.getRequestId())).build());
    }
}
