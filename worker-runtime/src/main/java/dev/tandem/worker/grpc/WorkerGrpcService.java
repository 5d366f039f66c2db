package dev.tandem.worker.grpc;

import dev.tandem.protocol.grpc.CancelRequest;
import dev.tandem.protocol.grpc.CancelResponse;
import dev.tandem.protocol.grpc.InfoRequest;
import dev.tandem.protocol.grpc.Worker;
import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.telemetry.SpanFields;
import dev.tandem.worker.WorkerRuntime;
import dev.tandem.worker.WorkerWorkload;
import dev.tandem.worker.health.WorkerHealth;
import io.opentelemetry.api.trace.Span;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/** Every worker's {@code Worker} service: its identity and load for the router, and cancellation. */
@GrpcService
public class WorkerGrpcService implements Worker {

    private final WorkerRuntime runtime;
    private final WorkerWorkload workload;

    private final WorkerHealth health;

    public WorkerGrpcService(WorkerRuntime runtime, WorkerWorkload workload, WorkerHealth health) {
        this.runtime = runtime;
        this.workload = workload;
        this.health = health;
    }

    @Override
    public Uni<WorkerInfo> info(InfoRequest request) {
        WorkerInfo.Builder info = ProtoMapping.workerInfo(runtime, workload.role());
        workload.describeLoad(info);
        info.setDraining(health.isDraining());
        return Uni.createFrom().item(info.build());
    }

    @Override
    public Uni<CancelResponse> cancel(CancelRequest request) {
        Span.current().setAttribute(SpanFields.X_REQUEST_ID, request.getRequestId()); // the request id is the x-request-id
        return Uni.createFrom().item(CancelResponse.newBuilder().setFound(workload.cancel(request.getRequestId())).build());
    }
}
