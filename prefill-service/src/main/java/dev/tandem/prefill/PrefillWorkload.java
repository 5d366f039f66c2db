package dev.tandem.prefill;

import java.time.Duration;

import jakarta.inject.Singleton;

import dev.tandem.prefill.kv.KvHandleRegistry;
import dev.tandem.prefill.scheduling.PrefillQueue;
import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.protocol.grpc.WorkerRole;
import dev.tandem.worker.WorkerWorkload;

/** A prefill worker's work, as the shared worker runtime sees it: queued prompts and KV held for decode workers. */
@Singleton
public class PrefillWorkload implements WorkerWorkload {

    private final PrefillQueue queue;
    private final KvHandleRegistry handles;

    public PrefillWorkload(PrefillQueue queue, KvHandleRegistry handles) {
        this.queue = queue;
        this.handles = handles;
    }

    @Override
    public WorkerRole role() {
        return WorkerRole.WORKER_ROLE_PREFILL;
    }

    @Override
    public void describeLoad(WorkerInfo.Builder info) {
        info.setInflightRequests(queue.inflight())
                .setActivePrefillTokens(queue.promptTokens())
                .setPendingKvHandles(handles.pending())
                .setMaxBatchSize(1);
    }

    @Override
    public boolean cancel(String requestId) {
        boolean dequeued = queue.cancel(requestId);
        boolean released = handles.release(requestId);
        return dequeued || released;
    }

    /** A prompt takes milliseconds to prefill and a handle is pulled at once: nothing to wait for. */
    @Override
    public void drain(Duration timeout) {
    }
}
