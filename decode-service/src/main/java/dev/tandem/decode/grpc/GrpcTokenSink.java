package dev.tandem.decode.grpc;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import dev.tandem.decode.batching.SequenceFailure;
import dev.tandem.decode.batching.TokenSink;
import dev.tandem.engine.sampling.LogProbs;
import dev.tandem.worker.grpc.ProtoMapping;
import dev.tandem.worker.telemetry.ComponentMetrics;
import dev.tandem.worker.telemetry.WorkerCall;
import dev.tandem.telemetry.logging.RequestLogContext;
import dev.tandem.worker.FinishRule;
import dev.tandem.protocol.grpc.GenerateResponse;
import dev.tandem.protocol.grpc.Timings;
import dev.tandem.protocol.grpc.TokenTiming;
import io.smallrye.mutiny.subscription.MultiEmitter;

/** Streams a sequence's tokens to its gRPC caller, one message per token, the finish reason last. */
final class GrpcTokenSink implements TokenSink {

    private final MultiEmitter<? super GenerateResponse> emitter;
    private final WorkerCall call;
    /** The call's logging context: the stream ends on the batch loop's thread, where it is not. */
    private final RequestLogContext context;
    private final ComponentMetrics metrics;
    private final Timings.Builder timings = Timings.newBuilder();
    private boolean first = true;
    private int cachedTokens;

    GrpcTokenSink(MultiEmitter<? super GenerateResponse> emitter, WorkerCall call, RequestLogContext context,
            ComponentMetrics metrics) {
        this.emitter = emitter;
        this.metrics = metrics;
        this.call = call;
        this.context = context;
    }

    void transferred(long bytes, long micros) {
        timings.setKvTransferBytes(bytes).setKvTransferUs(micros);
    }

    @Override
    public void started(long queueMicros, long prefillMicros, int computedTokens, int cachedTokens) {
        timings.setQueueUs(queueMicros).setPrefillUs(prefillMicros);
        this.cachedTokens = cachedTokens;
        if (computedTokens + cachedTokens > 0) {
            metrics.promptTokens(computedTokens, cachedTokens);
        }
        call.busy(prefillMicros * 1000);
    }

    @Override
    public void token(int tokenId, long stepMicros, int batchSize) {
        token(tokenId, null, stepMicros, batchSize);
    }

    @Override
    public void token(int tokenId, LogProbs logprobs, long stepMicros, int batchSize) {
        GenerateResponse.Builder message = GenerateResponse.newBuilder()
                .addTokenIds(tokenId)
                .addTokenTimings(TokenTiming.newBuilder()
                        .setEmittedAtUs(ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()))
                        .setStepUs(stepMicros)
                        .setBatchSize(batchSize));
        if (logprobs != null) {
            message.addLogprobs(ProtoMapping.logprob(logprobs));
        }
        boolean firstToken = first;
        if (first) {
            first = false;
            message.setTimings(timings).setCachedTokens(cachedTokens);
        }
        GenerateResponse response = message.build();
        if (!firstToken || timings.getPrefillUs() == 0) { // a prefilled first token's time is counted in started()
            call.busy(stepMicros * 1000);
        }
        call.responded(response.getSerializedSize());
        emitter.emit(response);
    }

    @Override
    public void finish(FinishRule.Reason reason) {
        GenerateResponse last = GenerateResponse.newBuilder().setFinishReason(ProtoMapping.finishReason(reason)).build();
        call.responded(last.getSerializedSize());
        if (emitter.isCancelled()) {
            return;
        }
        context.run(() -> {
            emitter.emit(last);
            emitter.complete();
        });
    }

    /**
     * A caller that went away has cancelled the stream already: failing it again would only have Mutiny log the
     * dropped {@code CANCELLED} as an error.
     */
    @Override
    public void fail(SequenceFailure failure) {
        if (emitter.isCancelled()) { // the caller went away first: nobody to tell
            return;
        }
        context.run(() -> emitter.fail(FailureStatus.of(failure).asRuntimeException()));
    }
}
