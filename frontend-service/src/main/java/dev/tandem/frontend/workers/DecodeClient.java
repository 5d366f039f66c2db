package dev.tandem.frontend.workers;

import static dev.tandem.telemetry.logging.LogField.kv;

import java.util.List;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.frontend.routing.WorkerEndpoint;
import dev.tandem.protocol.grpc.DecodeWorkerGrpc;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.protocol.grpc.GenerateResponse;
import dev.tandem.telemetry.RequestIds;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Multi;

/**
 * Streams generated tokens from decode workers: the first reachable of the candidates continues from a prefill
 * worker's KV handle, or prefills the prompt itself (aggregated).
 */
@ApplicationScoped
public class DecodeClient {

    private static final Logger LOG = Logger.getLogger(DecodeClient.class);

    /**
     * @param trace  the context the call's spans are children of
     * @param trying hears of each worker as it is tried, before its call starts
     */
    public Multi<TokenChunk> generate(GenerateRequest request, List<WorkerEndpoint> candidates,
            Context trace, RequestWorkers reached, Consumer<WorkerEndpoint> trying) {
        return Failover.multi(candidates, worker -> call(request, worker, trace, reached, trying),
                () -> Multi.createFrom().failure(OpenAiException.workerUnavailable(
                        "No decode worker reachable (" + candidates.size() + " tried)")));
    }

    private Multi<TokenChunk> call(GenerateRequest request, WorkerEndpoint worker, Context trace,
            RequestWorkers reached, Consumer<WorkerEndpoint> trying) {
        LOG.debugv("decode worker selected", kv("worker", worker.address()));
        trying.accept(worker);
        reached.reached(worker);
        worker.requestStarted();
        var stub = DecodeWorkerGrpc.newStub(worker.channel()).withInterceptors(RequestIds.attach(request.getRequestId()));
        return WorkerCalls.<GenerateRequest, GenerateResponse>serverStream(request, trace, stub::generate)
                .map(response -> new TokenChunk(response.getTokenIdsList(), response.getFinishReason(),
                        response.getCachedTokens(), response.getLogprobsList()))
                .onTermination().invoke(worker::requestEnded);
    }
}
