package dev.tandem.worker;

import java.time.Duration;

import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.protocol.grpc.WorkerRole;

/**
 * The one thing a worker service adds to the shared runtime: its own work. Prefill and decode workers each declare
 * one bean of this type; health, lifecycle, metrics and the {@code Worker} gRPC service are shared and ask it.
 */
public interface WorkerWorkload {

    WorkerRole role();

    /** Fills the load fields of this worker's {@code Info} answer (requests in flight, queued work, limits). */
    void describeLoad(WorkerInfo.Builder info);

    /** Cancels a request wherever it is (queued, running, or holding KV); true when it was found. */
    boolean cancel(String requestId);

    /** On shutdown: lets running work finish for at most {@code timeout}, then cancels the rest and frees its KV. */
    void drain(Duration timeout);
}
