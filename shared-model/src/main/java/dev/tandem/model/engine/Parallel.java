package dev.tandem.model.engine;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * A fixed pool of worker threads for splitting loops. ForkJoin work stealing rather than static
 * per-thread slices: on a small, possibly oversubscribed VM a stalled core then only delays its
 * own chunk (engines-notes §9).
 */
final class Parallel implements AutoCloseable {

    /** A loop body over the index range [start, end). */
    @FunctionalInterface
    interface RangeBody {
        void run(int start, int end);
    }

    private final int threads;
    private final ForkJoinPool pool;

    Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("tandem-engine-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over [0, n) in chunks. {@code work} is a rough cost of the whole loop (e.g.
     * multiply-adds): below a threshold the loop runs on the caller, where forking costs more than
     * it saves.
     */
    void forRange(int n, long work, RangeBody body) {
        if (n <= 0) {
            return;
        }
        if (pool == null || n == 1 || work < 32_768) {
            body.run(0, n);
            return;
        }
        // A few chunks per thread so stealing can even out uneven progress.
        int chunks = (int) Math.min(n, Math.min(threads * 4L, Math.max(1, work / 16_384)));
        int grain = Math.ceilDiv(n, chunks);
        pool.invoke(new Chunk(body, 0, n, grain));
    }

    private static final class Chunk extends RecursiveAction {
        private final RangeBody body;
        private final int start;
        private final int end;
        private final int grain;

        Chunk(RangeBody body, int start, int end, int grain) {
            this.body = body;
            this.start = start;
            this.end = end;
            this.grain = grain;
        }

        @Override
        protected void compute() {
            if (end - start <= grain) {
                body.run(start, end);
                return;
            }
            int mid = start + (end - start) / 2;
            invokeAll(new Chunk(body, start, mid, grain), new Chunk(body, mid, end, grain));
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
