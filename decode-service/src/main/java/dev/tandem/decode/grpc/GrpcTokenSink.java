package dev.tandem.decode.grpc;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import dev.tandem.decode.batching.TokenSink;
import dev.tandem.model.protocol.ProtoMapping;
import dev.tandem.model.telemetry.logging.RequestLogContext;
import dev.tandem.model.worker.FinishRule;
import dev.tandem.protocol.grpc.GenerateResponse;
import dev.tandem.protocol.grpc.Timings;
import dev.tandem.protocol.grpc.TokenTiming;
import io.smallrye.mutiny.subscription.MultiEmitter;

/** Streams a sequence's tokens to its gRPC caller, one message per token, the finish reason last. */
final class GrpcTokenSink implements TokenSink {

    private final MultiEmitter<? super GenerateResponse> emitter;
    /** The call's logging context: the stream ends on the batch loop's thread, where it is not. */
    private final RequestLogContext context;
    private final Timings.Builder timings = Timings.newBuilder();
    private boolean first = true;

    GrpcTokenSink(MultiEmitter<? super GenerateResponse> emitter, RequestLogContext context) {
        this.emitter = emitter;
        this.context = context;
    }

    void transferred(long bytes, long micros) {
        timings.setKvTransferBytes(bytes).setKvTransferUs(micros);
    }

    @Override
    public void started(long queueMicros, long prefillMicros) {
        timings.setQueueUs(queueMicros).setPrefillUs(prefillMicros);
    }

    @Override
    public void token(int tokenId, long stepMicros, int batchSize) {
        GenerateResponse.Builder message = GenerateResponse.newBuilder()
                .addTokenIds(tokenId)
                .addTokenTimings(TokenTiming.newBuilder()
                        .setEmittedAtUs(ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()))
                        .setStepUs(stepMicros)
                        .setBatchSize(batchSize));
        if (first) {
            first = false;
            message.setTimings(timings);
        }
        emitter.emit(message.build());
    }

    @Override
    public void finish(FinishRule.Reason reason) {
        context.run(() -> {
            emitter.emit(GenerateResponse.newBuilder().setFinishReason(ProtoMapping.finishReason(reason)).build());
            emitter.complete();
        });
    }

    @Override
    public void fail(Throwable error) {
        context.run(() -> emitter.fail(error));
    }
}
