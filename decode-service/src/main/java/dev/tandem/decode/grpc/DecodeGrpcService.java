package dev.tandem.decode.grpc;

import static dev.tandem.model.telemetry.logging.LogField.kv;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;

import org.jboss.logging.Logger;

import dev.tandem.decode.batching.ContinuousBatcher;
import dev.tandem.decode.batching.SequenceRequest;
import dev.tandem.decode.kv.KvPuller;
import dev.tandem.model.protocol.ProtoMapping;
import dev.tandem.model.sampling.SamplingParams;
import dev.tandem.model.telemetry.logging.RequestLogContext;
import dev.tandem.model.worker.PromptCheck;
import dev.tandem.model.worker.WorkerRuntime;
import dev.tandem.protocol.grpc.DecodeWorker;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.protocol.grpc.GenerateResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;

@GrpcService
public class DecodeGrpcService implements DecodeWorker {

    private static final Logger LOG = Logger.getLogger(DecodeGrpcService.class);

    private final ContinuousBatcher batcher;
    private final KvPuller puller;
    private final WorkerRuntime runtime;
    /** KV pulls block on the network: one virtual thread each, off the event loop and the batch loop. */
    private final ExecutorService transfers = Executors.newVirtualThreadPerTaskExecutor();

    public DecodeGrpcService(ContinuousBatcher batcher, KvPuller puller, WorkerRuntime runtime) {
        this.batcher = batcher;
        this.puller = puller;
        this.runtime = runtime;
    }

    @Override
    public Multi<GenerateResponse> generate(GenerateRequest request) {
        int[] prompt = ProtoMapping.tokens(request.getPromptTokenIdsList());
        Status invalid = PromptCheck.check(prompt, runtime.model().config());
        if (invalid != null) {
            return Multi.createFrom().failure(invalid.asRuntimeException());
        }
        SamplingParams sampling = ProtoMapping.sampling(request.getSampling());
        long seed = ProtoMapping.seed(request.getSampling());
        LOG.debugv("decode request", kv("prompt_tokens", prompt.length), kv("kv_transfer", request.hasKvSource()));
        return Multi.createFrom().emitter(emitter -> {
            GrpcTokenSink sink = new GrpcTokenSink(emitter, RequestLogContext.capture());
            if (!request.hasKvSource()) {
                start(SequenceRequest.prompt(request.getRequestId(), prompt, sampling, seed, sink), emitter);
                return;
            }
            SequenceRequest sequence = SequenceRequest.awaitingKv(request.getRequestId(), prompt,
                    request.getFirstTokenId(), sampling, seed, sink);
            if (!batcher.register(sequence)) {
                emitter.fail(Status.UNAVAILABLE.withDescription("decode worker is shutting down").asRuntimeException());
                return;
            }
            transfers.execute(RequestLogContext.capture().wrap(() -> {
                try {
                    KvPuller.Pulled pulled = puller.pull(request.getRequestId(), request.getKvSource());
                    sequence.transferred(pulled.sequence());
                    sink.transferred(pulled.bytes(), pulled.micros());
                    start(sequence, emitter);
                } catch (RuntimeException e) {
                    batcher.release(sequence);
                    emitter.fail(e);
                }
            }));
        });
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
