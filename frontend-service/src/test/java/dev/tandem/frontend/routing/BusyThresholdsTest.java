package dev.tandem.frontend.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.protocol.grpc.WorkerRole;

/** Dynamo's busy rules (the spec's §4.5) and the bound on queued requests. */
class BusyThresholdsTest {

    private static final BusyThresholds.Values DEFAULTS = new BusyThresholds.Values(1.0, 10_000_000L, 10.0);

    private static WorkerEndpoint worker(WorkerRole role, int usedBlocks, int prefillTokens, int queued) {
        WorkerEndpoint worker = new WorkerEndpoint("127.0.0.1:1", null);
        worker.reported(WorkerInfo.newBuilder().setRole(role).setKvTotalBlocks(100).setKvUsedBlocks(usedBlocks)
                .setActivePrefillTokens(prefillTokens).setQueuedRequests(queued).setContextLength(2048)
                .setMaxBatchSize(32).build());
        return worker;
    }

    @Test
    void theDefaultsNeverRefuseALightlyLoadedSystem() {
        BusyThresholds busy = new BusyThresholds(DEFAULTS, 128);
        assertFalse(busy.busy(worker(WorkerRole.WORKER_ROLE_DECODE, 100, 5000, 10), true));
        assertFalse(busy.busy(worker(WorkerRole.WORKER_ROLE_PREFILL, 90, 20_000, 0), true));
        assertFalse(busy.allBusy(List.of(), true), "no workers is not an overload");
    }

    @Test
    void decodeBlocksOverTheFractionMakeADecodeWorkerBusy() {
        BusyThresholds busy = new BusyThresholds(DEFAULTS, 128);
        busy.update(0.5, null, null);
        assertEquals(10_000_000L, busy.values().activePrefillTokensThreshold());
        assertFalse(busy.busy(worker(WorkerRole.WORKER_ROLE_DECODE, 50, 0, 0), false), "not more than the fraction");
        assertTrue(busy.busy(worker(WorkerRole.WORKER_ROLE_DECODE, 51, 0, 0), false));
        busy.update(0.0, null, null);
        assertFalse(busy.busy(worker(WorkerRole.WORKER_ROLE_DECODE, 0, 0, 0), false), "an idle worker is never busy");
    }

    @Test
    void prefillTokensCountWhereTheWorkerPrefills() {
        BusyThresholds busy = new BusyThresholds(new BusyThresholds.Values(1.0, 1000L, 10.0), 128);
        assertTrue(busy.busy(worker(WorkerRole.WORKER_ROLE_PREFILL, 0, 1001, 0), true));
        assertTrue(busy.busy(worker(WorkerRole.WORKER_ROLE_DECODE, 0, 1001, 0), true), "aggregated");
        assertFalse(busy.busy(worker(WorkerRole.WORKER_ROLE_DECODE, 0, 1001, 0), false), "disaggregated decode");
        busy.update(null, 10_000_000L, 0.25);
        assertTrue(busy.busy(worker(WorkerRole.WORKER_ROLE_PREFILL, 0, 513, 0), true), "over 0.25 × 2048");
    }

    @Test
    void tooManyQueuedRequestsMakeAWorkerBusy() {
        BusyThresholds busy = new BusyThresholds(DEFAULTS, 4);
        assertFalse(busy.busy(worker(WorkerRole.WORKER_ROLE_DECODE, 0, 0, 4), false));
        assertTrue(busy.busy(worker(WorkerRole.WORKER_ROLE_DECODE, 0, 0, 5), false));
        WorkerEndpoint sentMany = worker(WorkerRole.WORKER_ROLE_DECODE, 0, 0, 0);
        for (int i = 0; i < 32 + 5; i++) {
            sentMany.requestStarted();
        }
        assertTrue(busy.busy(sentMany, false), "this frontend's own requests beyond the batch count as queued");
        assertTrue(busy.allBusy(List.of(sentMany, worker(WorkerRole.WORKER_ROLE_DECODE, 0, 0, 9)), false));
    }
}
