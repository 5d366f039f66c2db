package dev.tandem.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A team of {@code threads − 1} worker threads plus the calling thread for splitting loops. A loop
 * is cut into a few chunks per thread that the threads claim one at a time, so a stalled core (a
 * small, possibly oversubscribed VM) only delays the chunk it holds (engines-notes §9), and the
 * caller works too instead of handing off and waiting. Workers spin briefly between loops (a
 * decoding step runs a hundred of them back to back), then park.
 *
 * <p>One loop at a time: concurrent callers of {@link #forRange} are serialised (the engine's callers
 * serialise their calls anyway); a loop body must not call it.
 */
final class Parallel implements AutoCloseable {

    /** A loop body over the index range [start, end). */
    @FunctionalInterface
    interface RangeBody {
        void run(int start, int end);
    }

    /** Spins (~tens of µs) before a waiting thread parks. */
    private static final int SPINS = 20_000;

    private final int threads;
    private final Thread[] workers;
    /** The current loop; workers pick up a new one when {@link #generation} moves. */
    private volatile Job job;
    private final AtomicInteger generation = new AtomicInteger();
    private volatile boolean closed;

    Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workerLoop, "tandem-engine-" + i);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over [0, n) in chunks. {@code work} is a rough cost of the whole loop (e.g.
     * multiply-adds): below a threshold the loop runs on the caller, where splitting costs more than
     * it saves.
     */
    synchronized void forRange(int n, long work, RangeBody body) {
        if (n <= 0) {
            return;
        }
        if (workers.length == 0 || n == 1 || work < 32_768) {
            body.run(0, n);
            return;
        }
        int chunks = (int) Math.min(n, Math.min(threads * 4L, Math.max(1, work / 16_384)));
        Job j = new Job(body, n, Math.ceilDiv(n, chunks), Thread.currentThread());
        job = j;
        generation.incrementAndGet();
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        j.work();
        // Wait for chunks other threads still hold.
        for (int spin = 0; !j.finished(); spin++) {
            if (spin < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        if (j.failure != null) {
            if (j.failure instanceof RuntimeException e) {
                throw e;
            }
            if (j.failure instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(j.failure);
        }
    }

    private void workerLoop() {
        int seen = generation.get();
        while (!closed) {
            int spin = 0;
            while (generation.get() == seen && !closed) {
                if (spin++ < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation.get();
            Job j = job;
            if (j != null) {
                j.work();
            }
        }
    }

    /** One loop: chunks claimed from a counter; the last chunk to finish wakes the caller. */
    private static final class Job {
        private final RangeBody body;
        private final int n;
        private final int grain;
        private final int chunks;
        private final Thread caller;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile Throwable failure;

        Job(RangeBody body, int n, int grain, Thread caller) {
            this.body = body;
            this.n = n;
            this.grain = grain;
            this.chunks = Math.ceilDiv(n, grain);
            this.caller = caller;
        }

        void work() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                try {
                    if (failure == null) {
                        body.run(c * grain, Math.min(n, (c + 1) * grain));
                    }
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    if (done.incrementAndGet() == chunks) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        boolean finished() {
            return done.get() >= chunks;
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
