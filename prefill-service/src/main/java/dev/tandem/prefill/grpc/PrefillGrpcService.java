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
import dev.tandem.prefill.kv.KvHandleRegistry.Pull;
import dev.tandem.prefill.scheduling.PrefillQueue;
import dev.tandem.prefill.scheduling.PrefillQueue.FirstToken;
import dev.tandem.prefill.scheduling.PrefillQueue.Prefilled;
import dev.tandem.protocol.grpc.ChoiceStart;
import dev.tandem.protocol.grpc.FinishReason;
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
        int choices = Math.max(1, request.getN());
        TokenConstraint[] constraints = new TokenConstraint[choices];
        try {
            StructuredOutputs outputs = StructuredOutputs.of(runtime.model().tokenizer());
            int budget = Math.min(sampling.maxTokens(), runtime.model().config().contextLength() - prompt.length);
            for (int c = 0; c < choices; c++) {
                constraints[c] = outputs.start(request.getSampling().getJsonSchema(), budget); // each choice its own
            }
        } catch (UnsupportedSchemaException e) {
            Status status = Status.INVALID_ARGUMENT.withDescription("json_schema: " + e.getMessage());
            call.failed(status.asRuntimeException());
            return Uni.createFrom().failure(status.asRuntimeException());
        }
        LOG.debugv("prefill request", kv("prompt_tokens", prompt.length), kv("choices", choices));
        return Uni.createFrom().completionStage(() -> queue.submit(requestId, prompt, sampling, seed, constraints,
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

    /** Choice 0's start in the response's own fields, the others' in {@code choices}; a handle while any goes on. */
    private PrefillResponse respond(String requestId, int promptLength, SamplingParams sampling, Prefilled prefilled) {
        PrefillResponse.Builder response = PrefillResponse.newBuilder()
                .setCachedTokens(prefilled.cachedTokens())
                .setTimings(Timings.newBuilder().setQueueUs(prefilled.queueMicros()).setPrefillUs(prefilled.prefillMicros()));
        int pulls = 0;
        for (int c = 0; c < prefilled.choices().size(); c++) {
            ChoiceStart start = start(prefilled.choices().get(c), promptLength, sampling);
            if (start.getFinishReason() == FinishReason.FINISH_REASON_UNSPECIFIED) {
                pulls++;
            }
            if (c == 0) {
                response.setFirstTokenId(start.getFirstTokenId()).setFinishReason(start.getFinishReason());
                if (start.hasFirstLogprob()) {
                    response.setFirstLogprob(start.getFirstLogprob());
                }
            } else {
                response.addChoices(start);
            }
        }
        KvSequence sequence = prefilled.sequence();
        if (pulls == 0) {
            runtime.pool().free(sequence);
            return response.build();
        }
        String handleId = handles.hold(requestId, prefilled.choices().size(), sequence, pulls);
        return response.setKvHandle(KvHandle.newBuilder()
                .setHandleId(handleId)
                .setWorkerAddress(address.value())
                .setWorkerId(runtime.workerId())
                .setNumTokens(sequence.length())
                .setNumBlocks(blockCount(sequence)))
                .build();
    }

    private ChoiceStart start(FirstToken first, int promptLength, SamplingParams sampling) {
        ChoiceStart.Builder start = ChoiceStart.newBuilder().setFirstTokenId(first.token());
        if (first.logprobs() != null) {
            start.setFirstLogprob(ProtoMapping.logprob(first.logprobs()));
        }
        finishRule().check(first.token(), 1, promptLength + 1, sampling, first.constraint())
                .ifPresent(reason -> start.setFinishReason(ProtoMapping.finishReason(reason)));
        return start.build();
    }

    /** Streams the handle's blocks from {@code from_block} on: the puller holds those before in its prefix cache. */
    @Override
    public Multi<KvChunk> pullKv(PullKvRequest request) {
        WorkerCall.tagRequestId();
        Pull pull = handles.take(request.getHandleId()).orElse(null);
        if (pull == null) {
            return Multi.createFrom().failure(Status.NOT_FOUND
                    .withDescription("KV handle " + request.getHandleId() + " is unknown, already pulled or expired")
                    .asRuntimeException());
        }
        KvSequence sequence = pull.sequence();
        int blocks = blockCount(sequence);
        int from = request.getFromBlock();
        if (from < 0 || from >= blocks) {
            pull.close();
            return Multi.createFrom().failure(Status.INVALID_ARGUMENT
                    .withDescription("from_block " + from + " is outside the handle's " + blocks + " blocks")
                    .asRuntimeException());
        }
        long startedAt = System.nanoTime();
        AtomicLong sent = new AtomicLong();
        return Multi.createFrom().range(from, blocks)
                .map(block -> chunk(sequence, block))
                .onItem().invoke(chunk -> sent.addAndGet(chunk.getKeys().size() + chunk.getValues().size()))
                .onCompletion().invoke(() -> metrics.kvTransferred(sent.get(), System.nanoTime() - startedAt))
                .onTermination().invoke(pull::close);
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
