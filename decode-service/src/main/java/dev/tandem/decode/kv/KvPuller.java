package dev.tandem.decode.kv;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.BooleanSupplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvReservation;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.protocol.GrpcChannels;
import dev.tandem.telemetry.RequestIds;
import dev.tandem.worker.WorkerRuntime;
import dev.tandem.protocol.grpc.KvChunk;
import dev.tandem.protocol.grpc.KvHandle;
import dev.tandem.protocol.grpc.KvLayout;
import dev.tandem.protocol.grpc.PrefillWorkerGrpc;
import dev.tandem.protocol.grpc.PullKvRequest;
import io.grpc.ClientInterceptor;
import io.grpc.Status;

/** Pulls a prefilled KV from the prefill worker that holds it into this worker's pool, block by block. */
@ApplicationScoped
public class KvPuller {

    /** A pulled KV: a sequence of this worker's pool holding the prompt, and what the transfer cost. */
    public record Pulled(KvSequence sequence, long bytes, long micros) {
    }

    /** Bounded below the prefill workers' default handle timeout (30 s), after which the KV is gone anyway. */
    private static final Duration KV_WAIT = Duration.ofSeconds(20);

    private final KvBlockPool pool;
    private final KvReservation reservation;
    private final GrpcChannels channels;

    public KvPuller(WorkerRuntime runtime, @Any Instance<ClientInterceptor> interceptors) {
        this.pool = runtime.pool();
        this.reservation = new KvReservation(pool, KV_WAIT);
        this.channels = new GrpcChannels(interceptors.stream().toList());
    }

    /**
     * Blocks until the whole KV of {@code prompt} has arrived; frees what it reserved when anything goes wrong. While
     * the pool is full it waits for running sequences to free blocks. The imported full blocks join this worker's
     * prefix cache like computed ones.
     */
    public Pulled pull(String requestId, KvHandle handle, int[] prompt, BooleanSupplier cancelled) {
        long startedAt = System.nanoTime();
        KvSequence sequence = pool.newSequence();
        try {
            if (handle.getNumTokens() != prompt.length) {
                throw Status.FAILED_PRECONDITION.withDescription("the KV handle covers " + handle.getNumTokens()
                        + " tokens, the prompt has " + prompt.length).asRuntimeException();
            }
            awaitBlocks(sequence, handle.getNumTokens(), cancelled);
            Iterator<KvChunk> chunks = PrefillWorkerGrpc.newBlockingStub(channels.get(handle.getWorkerAddress()))
                    .withInterceptors(RequestIds.attach(requestId))
                    .pullKv(PullKvRequest.newBuilder().setHandleId(handle.getHandleId()).build());
            long bytes = 0;
            int blocks = 0;
            while (chunks.hasNext()) {
                KvChunk chunk = chunks.next();
                checkLayout(chunk.getLayout());
                pool.importBlock(sequence, chunk.getBlockIndex(), chunk.getNumTokens(),
                        chunk.getKeys().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN),
                        chunk.getValues().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
                bytes += chunk.getKeys().size() + chunk.getValues().size();
                blocks++;
            }
            if (blocks != handle.getNumBlocks()) {
                throw Status.DATA_LOSS.withDescription("KV transfer ended after " + blocks + " of "
                        + handle.getNumBlocks() + " blocks").asRuntimeException();
            }
            pool.append(sequence, prompt);
            return new Pulled(sequence, bytes, (System.nanoTime() - startedAt) / 1000);
        } catch (RuntimeException e) {
            pool.free(sequence);
            throw e;
        }
    }

    private void awaitBlocks(KvSequence sequence, int tokens, BooleanSupplier cancelled) {
        switch (reservation.awaitBlocks(sequence, tokens, cancelled)) {
            case RESERVED -> {
            }
            case CANCELLED -> throw Status.CANCELLED.withDescription("request cancelled while waiting for KV blocks")
                    .asRuntimeException();
            case TIMED_OUT -> throw Status.RESOURCE_EXHAUSTED.withDescription("the KV cache had no room for " + tokens
                    + " transferred tokens within " + reservation.timeout().toSeconds() + " s").asRuntimeException();
        }
    }

    private void checkLayout(KvLayout layout) {
        if (!pool.format().sameAs(layout.getNumLayers(), layout.getKvDim(), layout.getBlockSize())) {
            throw Status.FAILED_PRECONDITION.withDescription("KV layout " + layout.getNumLayers() + " layers × "
                    + layout.getKvDim() + " × block " + layout.getBlockSize() + " does not match this worker's "
                    + pool.numLayers() + " × " + pool.kvDim() + " × " + pool.blockSize()
                    + ": prefill and decode workers must serve the same model").asRuntimeException();
        }
    }

    @PreDestroy
    void close() {
        channels.close();
    }
}
