package dev.tandem.decode.grpc;

import static dev.tandem.telemetry.logging.LogField.kv;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;

import org.jboss.logging.Logger;

import dev.tandem.decode.batching.ContinuousBatcher;
import dev.tandem.decode.batching.SequenceFailure;
import dev.tandem.decode.batching.SequenceRequest;
import dev.tandem.decode.kv.KvPuller;
import dev.tandem.worker.grpc.ProtoMapping;
import dev.tandem.worker.StructuredOutputs;
import dev.tandem.engine.sampling.TokenConstraint;
import dev.tandem.engine.sampling.SamplingParams;
import dev.tandem.worker.telemetry.ComponentMetrics;
import dev.tandem.worker.telemetry.WorkerCall;
import dev.tandem.telemetry.logging.RequestLogContext;
import dev.tandem.worker.PromptCheck;
import dev.tandem.worker.WorkerRuntime;
import dev.tandem.protocol.grpc.DecodeWorker;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.protocol.grpc.GenerateResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;

@GrpcService
public class DecodeGrpcService implements DecodeWorker {

    private static final Logger LOG = Logger.getLogger(DecodeGrpcService.class);

    private final ContinuousBatcher batcher;
    private final KvPuller puller;
    private final WorkerRuntime runtime;
    private final ComponentMetrics metrics;
    /** KV pulls block on the network: one virtual thread each, off the event loop and the batch loop. */
    private final ExecutorService transfers = Executors.newVirtualThreadPerTaskExecutor();

    public DecodeGrpcService(ContinuousBatcher batcher, KvPuller puller, WorkerRuntime runtime, ComponentMetrics metrics) {
        this.batcher = batcher;
        this.metrics = metrics;
        this.puller = puller;
        this.runtime = runtime;
    }

    @Override
    public Multi<GenerateResponse> generate(GenerateRequest request) {
        // a decode worker that continues from a transferred KV is Dynamo's "decode"; one that prefills, "backend"
        WorkerCall call = WorkerCall.start(metrics, request.hasKvSource() ? "decode" : ComponentMetrics.BACKEND,
                runtime.workerId(), request.getRequestId(), request.getSerializedSize());
        int[] prompt = ProtoMapping.tokens(request.getPromptTokenIdsList());
        Status invalid = PromptCheck.check(prompt, runtime.model().config());
        if (invalid != null) {
            call.failed(invalid.asRuntimeException());
            return Multi.createFrom().failure(invalid.asRuntimeException());
        }
        SamplingParams sampling = ProtoMapping.sampling(request.getSampling());
        var tooLarge = batcher.checkFits(prompt.length, sampling);
        if (tooLarge.isPresent()) {
            StatusRuntimeException refused = FailureStatus.of(tooLarge.get()).asRuntimeException();
            call.failed(refused);
            return Multi.createFrom().failure(refused);
        }
        long seed = ProtoMapping.seed(request.getSampling());
        TokenConstraint constraint;
        try {
            constraint = StructuredOutputs.of(runtime.model().tokenizer()).start(request.getSampling().getJsonSchema(),
                    Math.max(1, Math.min(sampling.maxTokens(), runtime.model().config().contextLength() - prompt.length)));
            if (constraint != null && request.hasKvSource()) {
                constraint.accept(request.getFirstTokenId());
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            StatusRuntimeException refused = Status.INVALID_ARGUMENT.withDescription("json_schema: " + e.getMessage())
                    .asRuntimeException();
            call.failed(refused);
            return Multi.createFrom().failure(refused);
        }
        int topLogprobs = ProtoMapping.topLogprobs(request.getSampling());
        int stepOffset = ProtoMapping.stepOffset(request.getSampling(), prompt.length);
        LOG.debugv("decode request", kv("prompt_tokens", prompt.length), kv("kv_transfer", request.hasKvSource()));
        Multi<GenerateResponse> responses = Multi.createFrom().emitter(emitter -> {
            GrpcTokenSink sink = new GrpcTokenSink(emitter, call, RequestLogContext.capture(), metrics);
            if (!request.hasKvSource()) {
                start(SequenceRequest.prompt(request.getRequestId(), prompt, sampling, seed, sink).constrained(constraint).withLogprobs(topLogprobs)
                        .resumedAfter(stepOffset),
                        emitter);
                return;
            }
            SequenceRequest sequence = SequenceRequest.awaitingKv(request.getRequestId(), prompt,
                    request.getFirstTokenId(), sampling, seed, sink).constrained(constraint).withLogprobs(topLogprobs)
                    .resumedAfter(stepOffset);
            if (!batcher.register(sequence)) {
                emitter.fail(FailureStatus.of(SequenceFailure.shuttingDown()).asRuntimeException());
                return;
            }
            transfers.execute(RequestLogContext.capture().wrap(() -> {
                try {
                    KvPuller.Pulled pulled = puller.pull(request.getRequestId(), request.getKvSource(), prompt,
                            () -> sequence.isCancelled() || emitter.isCancelled());
                    sequence.transferred(pulled.sequence());
                    sink.transferred(pulled.bytes(), pulled.micros());
                    metrics.kvTransferred(pulled.bytes(), pulled.micros() * 1000);
                    start(sequence, emitter);
                } catch (RuntimeException e) {
                    batcher.release(sequence);
                    if (!emitter.isCancelled()) {
                        emitter.fail(kvSourceLost(e));
                    }
                }
            }));
        });
        return responses
                .onCompletion().invoke(call::completed)
                .onFailure().invoke(call::failed)
                .onCancellation().invoke(call::cancelled);
    }

    /**
     * A prefill worker that cannot be reached for its KV is not this worker's failure: ABORTED tells the frontend to
     * prefill the prompt again elsewhere, where UNAVAILABLE would have it skip this (healthy) decode worker.
     */
    private static RuntimeException kvSourceLost(RuntimeException error) {
        Status status = Status.fromThrowable(error);
        if (status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.NOT_FOUND
                || status.getCode() == Status.Code.DATA_LOSS || status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            LOG.infof("KV source of request lost (%s): handing the request back", status);
            return Status.ABORTED.withDescription("KV source lost: " + status.getCode()
                    + (status.getDescription() == null ? "" : " " + status.getDescription())).asRuntimeException();
        }
        return error;
    }

    private void start(SequenceRequest sequence, MultiEmitter<? super GenerateResponse> emitter) {
        emitter.onTermination(sequence::cancel);
        if (emitter.isCancelled()) {
            sequence.cancel(); // the caller left while the KV was in flight: the batcher frees it
        }
        batcher.submit(sequence); // a cancelled sequence is dropped there, its KV freed
    }

    @PreDestroy
    void close() {
        transfers.shutdownNow();
    }
}
