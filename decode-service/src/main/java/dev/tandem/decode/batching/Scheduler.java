package dev.tandem.decode.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.engine.sampling.SamplingParams;

/**
 * Which sequences run, in which order, with which KV blocks: the queues, admission and preemption policy of the
 * batch loop, without the engine (so it is tested with a bare pool).
 *
 * <p>KV is reserved as it is needed (vLLM's scheduler): a sequence is admitted once the pool can hold its prompt
 * (less what the prefix cache already holds), and grows a block at a time while decoding. When a running sequence
 * cannot get its next block, the youngest sequence is preempted: its blocks are freed and it goes back to the front
 * of the queue with its prompt and the tokens generated so far, which are recomputed when it is admitted again
 * (mostly found in the prefix cache). A request that could not fit even an empty pool is refused up front
 * ({@link #checkFits}).
 *
 * <p>Threads: {@link #submit} and the gauges from any thread; everything else from the batch loop's only.
 */
final class Scheduler {

    private static final Logger LOG = Logger.getLogger(Scheduler.class);

    /** What {@link #admitTransferred} did: sequences that joined the running batch, cancelled requests it dropped. */
    record Admitted(List<Sequence> joined, List<SequenceRequest> cancelled) {
    }

    private final KvBlockPool pool;
    private final int maxBatchSize;
    private final int contextLength;
    private final LinkedBlockingDeque<SequenceRequest> waiting = new LinkedBlockingDeque<>();
    /** Admitted sequences being prefilled, oldest first. */
    private final ArrayDeque<Sequence> prefilling = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    /** Preempted sequences, next to be admitted first. */
    private final ArrayDeque<Sequence> preempted = new ArrayDeque<>();
    private long admissions;
    private final AtomicLong preemptions = new AtomicLong();
    /** Snapshots for other threads, taken by {@link #publishGauges}. */
    private volatile int runningCount;
    private volatile int preemptedCount;
    private volatile int prefillingTokens;

    Scheduler(KvBlockPool pool, int maxBatchSize, int contextLength) {
        this.pool = pool;
        this.maxBatchSize = maxBatchSize;
        this.contextLength = contextLength;
    }

    /** Empty when the pool can hold the request once it is alone; otherwise why it is refused. */
    Optional<SequenceFailure> checkFits(int promptLength, SamplingParams sampling) {
        int needed = Math.min(contextLength, promptLength + sampling.maxTokens());
        if (pool.blocksFor(needed) <= pool.totalBlocks()) {
            return Optional.empty();
        }
        return Optional.of(new SequenceFailure(SequenceFailure.Kind.TOO_LARGE, "the prompt (" + promptLength
                + " tokens) plus max_tokens (" + sampling.maxTokens() + ") need " + needed + " tokens of KV cache; this worker holds "
                + pool.totalBlocks() * pool.blockSize() + " (" + pool.totalBlocks() + " blocks of " + pool.blockSize() + ")"));
    }

    void submit(SequenceRequest request) {
        waiting.add(request);
    }

    private boolean hasRoom() {
        return running.size() + prefilling.size() < maxBatchSize;
    }

    /**
     * Sequences whose KV arrived prefilled need no blocks to start: they join the batch as soon as there is room,
     * ahead of prompts waiting for blocks (which their KV might be holding). Cancelled requests leave the queue.
     */
    Admitted admitTransferred() {
        List<Sequence> joined = new ArrayList<>();
        List<SequenceRequest> cancelled = new ArrayList<>();
        for (Iterator<SequenceRequest> it = waiting.iterator(); it.hasNext();) {
            SequenceRequest request = it.next();
            if (!request.cancelled && (request.prefilled == null || !hasRoom())) {
                continue;
            }
            it.remove();
            if (request.cancelled) {
                cancelled.add(request);
                continue;
            }
            Sequence sequence = new Sequence(request);
            sequence.kv = request.prefilled;
            sequence.admittedAs = admissions++;
            sequence.generated(request.firstToken);
            running.add(sequence);
            joined.add(sequence);
        }
        return new Admitted(joined, cancelled);
    }

    /**
     * The next sequence to prefill, in order: one in progress, a preempted one, then waiting requests (first come,
     * first served); null when there is none, no room, or the pool cannot hold the next one's prompt yet.
     */
    Sequence nextToPrefill() {
        if (!prefilling.isEmpty()) {
            return prefilling.peekFirst();
        }
        if (!hasRoom()) {
            return null;
        }
        Sequence sequence = preempted.peekFirst();
        if (sequence == null) {
            SequenceRequest request = waiting.peekFirst();
            if (request == null || request.prefilled != null) {
                return null; // a transferred one still waits for room
            }
            sequence = new Sequence(request);
        }
        int[] context = sequence.contextToCompute();
        KvSequence kv = pool.newSequence();
        int cached = pool.reuseCachedPrefix(kv, context);
        if (!pool.reserve(kv, context.length)) {
            pool.free(kv);
            return null; // blocks come back as running sequences finish or are preempted
        }
        if (sequence == preempted.peekFirst()) {
            preempted.pollFirst();
        } else {
            waiting.pollFirst();
        }
        sequence.kv = kv;
        sequence.context = context;
        sequence.admittedAs = admissions++;
        if (sequence.queueMicros < 0) {
            sequence.queueMicros = (System.nanoTime() - sequence.request.submittedAtNanos) / 1000;
        }
        if (sequence.generatedCount() == 0) {
            sequence.cachedTokens = cached;
        }
        prefilling.addLast(sequence);
        return sequence;
    }

    /** The sequence {@link #nextToPrefill} returned has all its context computed. */
    void prefilled(Sequence sequence) {
        prefilling.remove(sequence);
        sequence.context = null;
    }

    /** A prefilled sequence joins the running batch. */
    void run(Sequence sequence) {
        running.add(sequence);
    }

    boolean hasRunning() {
        return !running.isEmpty();
    }

    /** The running batch, oldest admitted first; a copy, so callers may {@link #leave} while going through it. */
    List<Sequence> running() {
        return List.copyOf(running);
    }

    /** A sequence that finished or failed leaves the scheduler; its KV is freed. */
    void leave(Sequence sequence) {
        if (!running.remove(sequence)) {
            prefilling.remove(sequence);
        }
        free(sequence);
    }

    /**
     * Gives every running sequence the block its next position needs, preempting the youngest sequences while the
     * pool has none; false when no running sequence is left.
     */
    boolean reserveNextPositions() {
        for (int i = 0; i < running.size();) {
            KvSequence kv = running.get(i).kv;
            if (pool.reserve(kv, kv.length() + 1)) {
                i++;
                continue;
            }
            preempt(youngest());
            i = 0; // the batch changed: check it again from the start (reserving is idempotent)
        }
        return !running.isEmpty();
    }

    private Sequence youngest() {
        Sequence youngest = prefilling.peekLast();
        for (Sequence sequence : running) {
            if (youngest == null || sequence.admittedAs > youngest.admittedAs) {
                youngest = sequence;
            }
        }
        return youngest;
    }

    /** vLLM's recompute preemption: free the sequence's KV and queue it first, to recompute what it had. */
    private void preempt(Sequence sequence) {
        if (!running.remove(sequence)) {
            prefilling.remove(sequence);
        }
        pool.free(sequence.kv);
        sequence.kv = null;
        sequence.context = null;
        preempted.addFirst(sequence);
        preemptions.incrementAndGet();
        LOG.infof("KV cache full: preempted request %s after %d generated tokens; it will be recomputed",
                sequence.request.requestId, sequence.generatedCount());
    }

    /** Removes the admitted sequences whose request was cancelled, their KV freed; the caller ends their streams. */
    List<Sequence> takeCancelled() {
        List<Sequence> cancelled = new ArrayList<>();
        takeCancelled(running, cancelled);
        takeCancelled(prefilling, cancelled);
        takeCancelled(preempted, cancelled);
        return cancelled;
    }

    private void takeCancelled(Collection<Sequence> sequences, List<Sequence> cancelled) {
        for (Iterator<Sequence> it = sequences.iterator(); it.hasNext();) {
            Sequence sequence = it.next();
            if (sequence.request.cancelled) {
                it.remove();
                free(sequence);
                cancelled.add(sequence);
            }
        }
    }

    /** Removes the running and prefilling sequences (after an engine failure), their KV freed. */
    List<Sequence> takeAdmitted() {
        List<Sequence> admitted = new ArrayList<>(running);
        admitted.addAll(prefilling);
        running.clear();
        prefilling.clear();
        admitted.forEach(this::free);
        return admitted;
    }

    /** Removes every sequence, admitted or preempted, their KV freed; {@link #takeWaiting} the requests not admitted. */
    List<Sequence> takeAll() {
        List<Sequence> all = takeAdmitted();
        all.addAll(preempted);
        preempted.clear();
        return all;
    }

    /** Removes the requests not admitted yet, their transferred KV freed. */
    List<SequenceRequest> takeWaiting() {
        List<SequenceRequest> taken = new ArrayList<>();
        for (SequenceRequest request; (request = waiting.poll()) != null;) {
            free(request);
            taken.add(request);
        }
        return taken;
    }

    private void free(Sequence sequence) {
        if (sequence.kv != null) {
            pool.free(sequence.kv);
        }
    }

    /** Frees the KV a request brought, if any: it will not run. */
    void free(SequenceRequest request) {
        if (request.prefilled != null) {
            pool.free(request.prefilled);
        }
    }

    /**
     * Waits up to a short while for a new request (when nothing could run), leaving it queued: long when there is
     * nothing to do at all, short when a preempted or waiting sequence waits for blocks another thread may free.
     */
    void awaitWork() throws InterruptedException {
        SequenceRequest next = waiting.poll(waiting.isEmpty() && preempted.isEmpty() ? 50 : 1, TimeUnit.MILLISECONDS);
        if (next != null) {
            waiting.addFirst(next);
        }
    }

    /** Takes the snapshots the other threads read, after each iteration of the loop. */
    void publishGauges() {
        runningCount = running.size() + prefilling.size();
        preemptedCount = preempted.size();
        prefillingTokens = prefilling.stream().mapToInt(Sequence::tokensToPrefill).sum();
    }

    /** Sequences in the batch: running and being prefilled. */
    int runningCount() {
        return runningCount;
    }

    /** Sequences waiting to be admitted: new ones and preempted ones. */
    int waitingCount() {
        return waiting.size() + preemptedCount;
    }

    /**
     * Prompt tokens this worker has still to prefill: those of waiting prompts (not of transferred KV) and the rest
     * of the prompts being prefilled (Dynamo's {@code active_prefill_tokens}).
     */
    int pendingPrefillTokens() {
        int waitingTokens = 0;
        for (SequenceRequest request : waiting) {
            if (request.prefilled == null) {
                waitingTokens += request.prompt.length;
            }
        }
        return waitingTokens + prefillingTokens;
    }

    long preemptions() {
        return preemptions.get();
    }

    int maxBatchSize() {
        return maxBatchSize;
    }
}
