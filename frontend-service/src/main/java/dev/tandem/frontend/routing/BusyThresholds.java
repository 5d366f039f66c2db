package dev.tandem.frontend.routing;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.tandem.frontend.config.FrontendConfig;
import dev.tandem.protocol.grpc.WorkerInfo;

/**
 * Dynamo's load shedding: when a worker counts as busy, from what it last reported and what this frontend has sent
 * it. A decode worker is busy when the fraction of its KV blocks in use exceeds
 * {@code active_decode_blocks_threshold}; a worker that prefills (a prefill worker, or a decode worker serving
 * aggregated) when its prompt tokens waiting for prefill exceed {@code active_prefill_tokens_threshold} or
 * {@code active_prefill_tokens_threshold_frac} × its context length; any worker when more requests are queued on it
 * than {@code max-queued-per-worker}. The thresholds start from the configuration and change through
 * {@code /busy_threshold}.
 */
@ApplicationScoped
public class BusyThresholds {

    /** One model's thresholds, as {@code /busy_threshold} reads and writes them. */
    public record Values(Double activeDecodeBlocksThreshold, Long activePrefillTokensThreshold,
            Double activePrefillTokensThresholdFrac) {
    }

    private final int maxQueuedPerWorker;
    private volatile Values values;

    @jakarta.inject.Inject
    public BusyThresholds(FrontendConfig config) {
        this(new Values(config.busy().activeDecodeBlocksThreshold(), config.busy().activePrefillTokensThreshold(),
                config.busy().activePrefillTokensThresholdFrac()), config.busy().maxQueuedPerWorker());
    }

    BusyThresholds(Values values, int maxQueuedPerWorker) {
        this.values = values;
        this.maxQueuedPerWorker = maxQueuedPerWorker;
    }

    public Values values() {
        return values;
    }

    /** Sets the thresholds given (a null leaves that one as it is); returns them all. */
    public synchronized Values update(Double decodeBlocks, Long prefillTokens, Double prefillTokensFrac) {
        Values current = values;
        values = new Values(decodeBlocks != null ? decodeBlocks : current.activeDecodeBlocksThreshold(),
                prefillTokens != null ? prefillTokens : current.activePrefillTokensThreshold(),
                prefillTokensFrac != null ? prefillTokensFrac : current.activePrefillTokensThresholdFrac());
        return values;
    }

    /** Whether every one of these workers is busy (false when there are none: that is not an overload). */
    public boolean allBusy(List<WorkerEndpoint> workers, boolean prefills) {
        return !workers.isEmpty() && workers.stream().allMatch(worker -> busy(worker, prefills));
    }

    /** @param prefills whether the worker runs prompts for these requests */
    public boolean busy(WorkerEndpoint worker, boolean prefills) {
        Values thresholds = values;
        WorkerInfo info = worker.lastInfo();
        int queued = worker.outstanding();
        if (info != null) {
            int slots = info.getRole() == dev.tandem.protocol.grpc.WorkerRole.WORKER_ROLE_DECODE ? info.getMaxBatchSize() : 1;
            queued = Math.max(info.getQueuedRequests(), worker.outstanding() - Math.max(slots, 1));
        }
        if (queued > maxQueuedPerWorker) {
            return true;
        }
        if (info == null) {
            return false;
        }
        boolean decodes = info.getRole() == dev.tandem.protocol.grpc.WorkerRole.WORKER_ROLE_DECODE;
        if (decodes && thresholds.activeDecodeBlocksThreshold() != null && info.getKvTotalBlocks() > 0
                && (double) info.getKvUsedBlocks() / info.getKvTotalBlocks() > thresholds.activeDecodeBlocksThreshold()) {
            return true;
        }
        if (!prefills && decodes) {
            return false;
        }
        long prefillTokens = info.getActivePrefillTokens();
        if (thresholds.activePrefillTokensThreshold() != null && prefillTokens > thresholds.activePrefillTokensThreshold()) {
            return true;
        }
        return thresholds.activePrefillTokensThresholdFrac() != null && info.getContextLength() > 0
                && prefillTokens > thresholds.activePrefillTokensThresholdFrac() * info.getContextLength();
    }
}
