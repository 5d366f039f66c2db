package dev.tandem.prefill.grpc;

import dev.tandem.worker.grpc.ProtoMapping;
import dev.tandem.telemetry.SpanFields;
import dev.tandem.worker.WorkerRuntime;
import dev.tandem.prefill.kv.KvHandleRegistry;
import dev.tandem.prefill.scheduling.PrefillQueue;
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
    private final PrefillQueue queue;
    private final KvHandleRegistry handles;

    public WorkerGrpcService(WorkerRuntime runtime, PrefillQueue queue, KvHandleRegistry handles) {
        this.runtime = runtime;
        this.queue = queue;
        this.handles = handles;
    }

    @Override
    public Uni<WorkerInfo> info(InfoRequest request) {
        return Uni.createFrom().item(ProtoMapping.workerInfo(runtime, WorkerRole.WORKER_ROLE_PREFILL)
                .setInflightRequests(queue.inflight())
                .setActivePrefillTokens(queue.promptTokens())
                .setPendingKvHandles(handles.pending())
                .setMaxBatchSize(1)
                .build());
    }

    @Override
    public Uni<CancelResponse> cancel(CancelRequest request) {
        Span.current().setAttribute(SpanFields.X_REQUEST_ID, request.getRequestId()); // the request id is the x-request-id
        boolean dequeued = queue.cancel(request.getRequestId());
        boolean released = handles.release(request.getRequestId());
        return Uni.createFrom().item(CancelResponse.newBuilder().setFound(dequeued || released).build());
    }
}
