package dev.tandem.frontend.routing;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import dev.tandem.model.PrefixHash;
import dev.tandem.protocol.grpc.WorkerInfo;

/**
 * Dynamo's KV-aware routing in its approximate mode (no KV events): the router remembers the prefix keys
 * ({@link PrefixHash}) of the prompts it sent each worker, predicts from them how much of a new prompt a worker
 * holds in its prefix cache, and ranks workers by cost = weight × prompt blocks to compute + the work the worker
 * reported (see {@link #busyBlocks}) + this prompt's blocks for each request the frontend has in flight there,
 * lowest first; ties go to the less loaded. What a worker remembers is bounded by its KV pool, oldest prompts forgotten first, as its
 * cache evicts them.
 */
final class KvRouter {

    private static final Logger LOG = Logger.getLogger(KvRouter.class);
    /** Keys remembered per worker until it reports its pool size. */
    private static final int DEFAULT_CAPACITY = 4096;

    private final double overlapWeight;
    private final Map<String, PrefixMemory> memories = new ConcurrentHashMap<>();

    KvRouter(double overlapWeight) {
        this.overlapWeight = overlapWeight;
    }

    /** The workers, best first, for a prompt. */
    List<WorkerEndpoint> rank(List<WorkerEndpoint> workers, int[] prompt) {
        if (workers.size() < 2) {
            return workers;
        }
        Map<WorkerEndpoint, Double> costs = new HashMap<>();
        for (WorkerEndpoint worker : workers) {
            WorkerInfo info = worker.lastInfo();
            int blockSize = blockSize(info);
            long[] keys = PrefixHash.chain(prompt, blockSize);
            int blocks = (prompt.length + blockSize - 1) / blockSize;
            int overlap = memory(worker).overlap(keys);
            int busy = busyBlocks(info, blockSize);
            double cost = overlapWeight * (blocks - overlap) + busy + (double) blocks * worker.outstanding();
            costs.put(worker, cost);
            LOG.debugf("[ROUTING] worker %s: %d/%d blocks overlap, %d blocks busy, cost %.1f", worker.address(),
                    overlap, blocks, busy, cost);
        }
        return workers.stream().sorted(Comparator.<WorkerEndpoint>comparingDouble(costs::get)
                .thenComparingDouble(WorkerEndpoint::load)).toList();
    }

    /** The prompt is being run on the worker: its blocks will be in that worker's prefix cache. */
    void sent(WorkerEndpoint worker, int[] prompt) {
        memory(worker).add(PrefixHash.chain(prompt, blockSize(worker.lastInfo())));
    }

    /**
     * The work a worker has already, in blocks: for a prefill worker the prompt tokens it has still to prefill
     * (its KV in use is mostly handles about to be pulled, and its cached blocks count as free), for a decode
     * worker the KV blocks its sequences hold.
     */
    private static int busyBlocks(WorkerInfo info, int blockSize) {
        if (info == null) {
            return 0;
        }
        return info.getRole() == dev.tandem.protocol.grpc.WorkerRole.WORKER_ROLE_PREFILL
                ? (info.getActivePrefillTokens() + blockSize - 1) / blockSize
                : info.getKvUsedBlocks();
    }

    private static int blockSize(WorkerInfo info) {
        return info == null || info.getKvBlockSize() <= 0 ? PrefixHash.DEFAULT_BLOCK_SIZE : info.getKvBlockSize();
    }

    private PrefixMemory memory(WorkerEndpoint worker) {
        return memories.computeIfAbsent(worker.address(), a -> new PrefixMemory()).resize(worker.lastInfo());
    }

    /** One worker's remembered prefix keys, least recently sent first. */
    private static final class PrefixMemory {

        private int capacity = DEFAULT_CAPACITY;
        private final LinkedHashMap<Long, Boolean> keys = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > capacity;
            }
        };

        synchronized PrefixMemory resize(WorkerInfo info) {
            if (info != null && info.getKvTotalBlocks() > 0) {
                capacity = info.getKvTotalBlocks();
            }
            return this;
        }

        /** How many leading keys of a prompt are remembered (each names its whole prefix). */
        synchronized int overlap(long[] prompt) {
            int n = 0;
            while (n < prompt.length && keys.containsKey(prompt[n])) {
                n++;
            }
            return n;
        }

        synchronized void add(long[] prompt) {
            for (long key : prompt) {
                keys.put(key, Boolean.TRUE);
            }
        }
    }
}
