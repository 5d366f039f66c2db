package dev.tandem.frontend.routing;

import java.util.concurrent.atomic.AtomicInteger;

import dev.tandem.protocol.grpc.WorkerInfo;
import io.grpc.Channel;

/** One worker as the router sees it: where it is, what it last reported, and what this frontend has sent it. */
public final class WorkerEndpoint {

    private final String address;
    private final Channel channel;
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile WorkerInfo lastInfo;
    private volatile boolean reachable = true;

    public WorkerEndpoint(String address, Channel channel) {
        this.address = address;
        this.channel = channel;
    }

    public String address() {
        return address;
    }

    public Channel channel() {
        return channel;
    }

    public boolean reachable() {
        return reachable;
    }

    public WorkerInfo lastInfo() {
        return lastInfo;
    }

    /** The worker said it is shutting down: it takes no new work, so routing skips it. */
    public boolean draining() {
        WorkerInfo info = lastInfo;
        return info != null && info.getDraining();
    }

    void reported(WorkerInfo info) {
        lastInfo = info;
        reachable = true;
    }

    /** After a failed call or info poll: skipped by routing until it answers again. */
    public void markUnreachable() {
        reachable = false;
    }

    public void requestStarted() {
        outstanding.incrementAndGet();
    }

    public void requestEnded() {
        outstanding.decrementAndGet();
    }

    /** Requests this frontend has in flight on the worker. */
    int outstanding() {
        return outstanding.get();
    }

    /**
     * Lower is less loaded: requests this frontend has in flight there (fresh) plus what the worker reported
     * queued beyond those, then its KV usage as a fraction to break ties.
     */
    double load() {
        WorkerInfo info = lastInfo;
        double kvUsage = info == null || info.getKvTotalBlocks() == 0 ? 0
                : (double) info.getKvUsedBlocks() / info.getKvTotalBlocks();
        int reportedBusy = info == null ? 0 : info.getInflightRequests() + info.getQueuedRequests();
        return Math.max(outstanding.get(), reportedBusy) + kvUsage;
    }
}
