package dev.tandem.prefill.grpc;

import static dev.tandem.telemetry.logging.LogField.kv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.google.protobuf.UnsafeByteOperations;

import dev.tandem.engine.KvCapacityException;
import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.worker.grpc.ProtoMapping;
import dev.tandem.worker.StructuredOutputs;
import dev.tandem.structured.UnsupportedSchemaException;
import dev.tandem.engine.sampling.TokenConstraint;
import dev.tandem.engine.sampling.SamplingParams;
import dev.tandem.worker.telemetry.ComponentMetrics;
import dev.tandem.worker.telemetry.WorkerCall;
import dev.tandem.worker.FinishRule;
import dev.tandem.worker.PromptCheck;
import dev.tandem.worker.WorkerRuntime;
import dev.tandem.prefill.kv.KvHandleRegistry;
import dev.tandem.prefill.kv.KvHandleRegistry.HeldKv;
import dev.tandem.prefill.scheduling.PrefillQueue;
import dev.tandem.prefill.scheduling.PrefillQueue.Prefilled;
import dev.tandem.protocol.grpc.KvChunk;
import dev.tandem.protocol.grpc.KvHandle;
import dev.tandem.protocol.grpc.KvLayout;
import dev.tandem.protocol.grpc.PrefillRequest;
import dev.tandem.protocol.grpc.PrefillResponse;
import dev.tandem.protocol.grpc.PrefillWorker;
import dev.tandem.protocol.grpc.PullKvRequest;
import dev.tandem.protocol.grpc.Timings;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

@GrpcService
public class PrefillGrpcService implements PrefillWorker {

    private static final Logger LOG = Logger.getLogger(PrefillGrpcService.class);

    private final PrefillQueue queue;
    private final KvHandleRegistry handles;
    private final WorkerRuntime runtime;
    private final AdvertisedAddress address;
    private volatile FinishRule finishRule;
    private volatile KvLayout layout;
    private final ComponentMetrics metrics;

    public PrefillGrpcService(PrefillQueue queue, KvHandleRegistry handles, WorkerRuntime runtime, AdvertisedAddress address,
            ComponentMetrics metrics) {
        this.queue = queue;
        this.metrics = metrics;
        this.handles = handles;
        this.runtime = runtime;
        this.address = address;
    }

    /** Created with the gRPC server, on an event loop: what needs the model waits for the first request. */
    private FinishRule finishRule() {
        FinishRule rule = finishRule;
        if (rule == null) {
            finishRule = rule = new FinishRule(runtime.model().tokenizer(), runtime.model().config().contextLength());
        }
        return rule;
    }

    private KvLayout layout() {
        KvLayout kvLayout = layout;
        if (kvLayout == null) {
            KvBlockPool pool = runtime.pool();
            layout = kvLayout = KvLayout.newBuilder().setNumLayers(pool.numLayers()).setKvDim(pool.kvDim())
                    .setBlockSize(pool.blockSize()).build();
        }
        return kvLayout;
    }

    @Override
    public Uni<PrefillResponse> prefill(PrefillRequest request) {
        WorkerCall call = WorkerCall.start(metrics, ComponentMetrics.PREFILL, runtime.workerId(), request.getRequestId(),
                request.getSerializedSize());
        int[] prompt = ProtoMapping.tokens(request.getPromptTokenIdsList());
        Status invalid = PromptCheck.check(prompt, runtime.model().config());
        KvBlockPool pool = runtime.pool();
        if (invalid == null && pool.blocksFor(prompt.length) > pool.totalBlocks()) {
            invalid = Status.INVALID_ARGUMENT.withDescription("the prompt's " + prompt.length + " tokens need more KV cache than "
                    + "this worker's " + pool.totalBlocks() + " blocks of " + pool.blockSize());
        }
        if (invalid != null) {
            call.failed(invalid.asRuntimeException());
            return Uni.createFrom().failure(invalid.asRuntimeException());
        }
        SamplingParams sampling = ProtoMapping.sampling(request.getSampling());
        long seed = ProtoMapping.seed(request.getSampling());
        String requestId = request.getRequestId();
        TokenConstraint constraint;
        try {
            constraint = StructuredOutputs.of(runtime.model().tokenizer()).start(request.getSampling().getJsonSchema(),
                    Math.min(sampling.maxTokens(), runtime.model().config().contextLength() - prompt.length));
        } catch (UnsupportedSchemaException e) {
            Status status = Status.INVALID_ARGUMENT.withDescription("json_schema: " + e.getMessage());
            call.failed(status.asRuntimeException());
            return Uni.createFrom().failure(status.asRuntimeException());
        }
        LOG.debugv("prefill request", kv("prompt_tokens", prompt.length));
        return Uni.createFrom().completionStage(() -> queue.submit(requestId, prompt, sampling, seed, constraint,
                        ProtoMapping.topLogprobs(request.getSampling()), ProtoMapping.stepOffset(request.getSampling(), prompt.length)))
                .map(prefilled -> {
                    call.busy(prefilled.prefillMicros() * 1000);
                    metrics.promptTokens(prompt.length - prefilled.cachedTokens(), prefilled.cachedTokens());
                    PrefillResponse response = respond(requestId, prompt.length, sampling, prefilled);
                    call.responded(response.getSerializedSize());
                    return response;
                })
                .onFailure().transform(PrefillGrpcService::toStatus)
                .onItem().invoke(call::completed)
                .onFailure().invoke(call::failed)
                .onCancellation().invoke(() -> {
                    call.cancelled();
                    queue.cancel(requestId);
                });
    }

    private PrefillResponse respond(String requestId, int promptLength, SamplingParams sampling, Prefilled prefilled) {
        PrefillResponse.Builder response = PrefillResponse.newBuilder()
                .setFirstTokenId(prefilled.firstToken())
                .setCachedTokens(prefilled.cachedTokens())
                .setTimings(Timings.newBuilder().setQueueUs(prefilled.queueMicros()).setPrefillUs(prefilled.prefillMicros()));
        if (prefilled.firstLogprobs() != null) {
            response.setFirstLogprob(ProtoMapping.logprob(prefilled.firstLogprobs()));
        }
        var finished = finishRule().check(prefilled.firstToken(), 1, promptLength + 1, sampling, prefilled.constraint());
        if (finished.isPresent()) {
            runtime.pool().free(prefilled.sequence());
            return response.setFinishReason(ProtoMapping.finishReason(finished.get())).build();
        }
        KvSequence sequence = prefilled.sequence();
        String handleId = handles.hold(requestId, sequence);
        return response.setKvHandle(KvHandle.newBuilder()
                .setHandleId(handleId)
                .setWorkerAddress(address.value())
                .setWorkerId(runtime.workerId())
                .setNumTokens(sequence.length())
                .setNumBlocks(blockCount(sequence)))
                .build();
    }

    @Override
    public Multi<KvChunk> pullKv(PullKvRequest request) {
        WorkerCall.tagRequestId();
        HeldKv held = handles.take(request.getHandleId()).orElse(null);
        if (held == null) {
            return Multi.createFrom().failure(Status.NOT_FOUND
                    .withDescription("KV handle " + request.getHandleId() + " is unknown, already pulled or expired")
                    .asRuntimeException());
        }
        KvSequence sequence = held.sequence();
        long startedAt = System.nanoTime();
        AtomicLong sent = new AtomicLong();
        return Multi.createFrom().range(0, blockCount(sequence))
                .map(block -> chunk(sequence, block))
                .onItem().invoke(chunk -> sent.addAndGet(chunk.getKeys().size() + chunk.getValues().size()))
                .onCompletion().invoke(() -> metrics.kvTransferred(sent.get(), System.nanoTime() - startedAt))
                .onTermination().invoke(() -> runtime.pool().free(sequence));
    }

    private KvChunk chunk(KvSequence sequence, int block) {
        KvBlockPool pool = runtime.pool();
        int tokens = Math.min(pool.blockSize(), sequence.length() - block * pool.blockSize());
        int bytes = pool.numLayers() * tokens * pool.kvDim() * Float.BYTES;
        ByteBuffer keys = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer values = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        pool.exportBlock(sequence, block, keys, values);
        return KvChunk.newBuilder()
                .setBlockIndex(block)
                .setNumTokens(tokens)
                .setKeys(UnsafeByteOperations.unsafeWrap(keys.flip()))
                .setValues(UnsafeByteOperations.unsafeWrap(values.flip()))
                .setLayout(layout())
                .build();
    }

    private int blockCount(KvSequence sequence) {
        return Math.ceilDiv(sequence.length(), runtime.pool().blockSize());
    }

    private static Throwable toStatus(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof KvCapacityException) {
            return Status.RESOURCE_EXHAUSTED.withDescription("KV cache is full: " + cause.getMessage()).asRuntimeException();
        }
        if (cause instanceof CancellationException) {
            return Status.CANCELLED.withDescription(cause.getMessage()).asRuntimeException();
        }
        LOG.error("Prefill failed", cause);
        return Status.INTERNAL.withDescription("prefill failed: " + cause.getMessage()).asRuntimeException();
    }
}
