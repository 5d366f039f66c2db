package dev.tandem.decode;

import java.time.Duration;

import jakarta.inject.Singleton;

import dev.tandem.decode.batching.ContinuousBatcher;
import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.protocol.grpc.WorkerRole;
import dev.tandem.worker.WorkerWorkload;

/** A decode worker's work, as the shared worker runtime sees it: the continuous batch. */
@Singleton
public class DecodeWorkload implements WorkerWorkload {

    private final ContinuousBatcher batcher;

    public DecodeWorkload(ContinuousBatcher batcher) {
        this.batcher = batcher;
    }

    @Override
    public WorkerRole role() {
        return WorkerRole.WORKER_ROLE_DECODE;
    }

    @Override
    public void describeLoad(WorkerInfo.Builder info) {
        info.setInflightRequests(batcher.runningCount())
                .setQueuedRequests(batcher.waitingCount())
                .setActivePrefillTokens(batcher.pendingPrefillTokens())
                .setMaxBatchSize(batcher.maxBatchSize());
    }

    @Override
    public boolean cancel(String requestId) {
        return batcher.cancel(requestId);
    }

    @Override
    public void drain(Duration timeout) {
        batcher.drain(timeout);
    }
}
