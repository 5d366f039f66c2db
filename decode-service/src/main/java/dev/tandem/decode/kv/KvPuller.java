package dev.tandem.decode.kv;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

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

/**
 * Pulls a prefilled KV from the prefill worker that holds it into this worker's pool, block by block. The prompt's
 * full blocks that this worker's prefix cache holds already (another choice of the same request pulled them, or an
 * earlier request with the same prefix ran here) are shared by reference count, not pulled again. Pulls of one
 * handle (the choices of one request) take turns here, so that each finds what the one before brought in.
 */
@ApplicationScoped
public class KvPuller {

    /** A pulled KV: a sequence of this worker's pool holding the prompt, and what the transfer cost. */
    public record Pulled(KvSequence sequence, long bytes, long micros) {
    }

    /** Bounded below the prefill workers' default handle timeout (30 s), after which the KV is gone anyway. */
    private static final Duration KV_WAIT = Duration.ofSeconds(20);

    /** Between looks at whether a caller waiting for its turn gave up. */
    private static final long TURN_POLL_MILLIS = 50;

    private final KvBlockPool pool;
    private final KvReservation reservation;
    private final GrpcChannels channels;
    /** The pull of each handle running here: a later pull of the same handle waits for it to end. */
    private final ConcurrentMap<String, CompletableFuture<Void>> pulling = new ConcurrentHashMap<>();

    @Inject
    public KvPuller(WorkerRuntime runtime, @Any Instance<ClientInterceptor> interceptors) {
        this(runtime.pool(), new GrpcChannels(interceptors.stream().toList()));
    }

    KvPuller(KvBlockPool pool, GrpcChannels channels) {
        this.pool = pool;
        this.reservation = new KvReservation(pool, KV_WAIT);
        this.channels = channels;
    }

    /**
     * Blocks until the whole KV of {@code prompt} is here; frees what it reserved when anything goes wrong. While
     * the pool is full it waits for running sequences to free blocks. The imported full blocks join this worker's
     * prefix cache like computed ones.
     */
    public Pulled pull(String requestId, KvHandle handle, int[] prompt, BooleanSupplier cancelled) {
        long startedAt = System.nanoTime();
        CompletableFuture<Void> turn = awaitTurn(handle.getHandleId(), cancelled);
        KvSequence sequence = pool.newSequence();
        try {
            if (handle.getNumTokens() != prompt.length) {
                throw Status.FAILED_PRECONDITION.withDescription("the KV handle covers " + handle.getNumTokens()
                        + " tokens, the prompt has " + prompt.length).asRuntimeException();
            }
            // the cached prefix, as whole blocks (it always leaves the prompt's last token to pull)
            awaitPrompt(sequence, prompt, cancelled);
            int cached = sequence.length();
            int fromBlock = cached / pool.blockSize();
            Iterator<KvChunk> chunks = PrefillWorkerGrpc.newBlockingStub(channels.get(handle.getWorkerAddress()))
                    .withInterceptors(RequestIds.attach(requestId))
                    .pullKv(PullKvRequest.newBuilder().setHandleId(handle.getHandleId()).setFromBlock(fromBlock).build());
            long bytes = 0;
            int blocks = fromBlock;
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
            pool.append(sequence, Arrays.copyOfRange(prompt, cached, prompt.length));
            return new Pulled(sequence, bytes, (System.nanoTime() - startedAt) / 1000);
        } catch (RuntimeException e) {
            pool.free(sequence);
            throw e;
        } finally {
            pulling.remove(handle.getHandleId(), turn);
            turn.complete(null);
        }
    }

    /** Waits while another pull of the handle runs here; returns this pull's turn, to complete when it ends. */
    private CompletableFuture<Void> awaitTurn(String handleId, BooleanSupplier cancelled) {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        for (CompletableFuture<Void> ahead; (ahead = pulling.putIfAbsent(handleId, turn)) != null;) {
            try {
                ahead.get(TURN_POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (cancelled.getAsBoolean()) {
                    throw Status.CANCELLED.withDescription("request cancelled while another choice pulled its KV")
                            .asRuntimeException();
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException(e); // a turn is only ever completed normally
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Status.CANCELLED.withDescription("interrupted while another choice pulled its KV").asRuntimeException();
            }
        }
        return turn;
    }

    private void awaitPrompt(KvSequence sequence, int[] prompt, BooleanSupplier cancelled) {
        switch (reservation.awaitPrompt(sequence, prompt, cancelled)) {
            case RESERVED -> {
            }
            case CANCELLED -> throw Status.CANCELLED.withDescription("request cancelled while waiting for KV blocks")
                    .asRuntimeException();
            case TIMED_OUT -> throw Status.RESOURCE_EXHAUSTED.withDescription("the KV cache had no room for " + prompt.length
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
