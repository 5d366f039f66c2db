package dev.tandem.frontend.routing;

import dev.tandem.protocol.grpc.WorkerInfo;

/** Hears every report a worker sends the {@link WorkerDirectory} (the frontend's per-worker metrics do). */
public interface WorkerReports {

    void workerReported(WorkerInfo info);
}
