package dev.tandem.frontend.workers;

import static dev.tandem.telemetry.logging.LogField.kv;

import java.util.List;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.tandem.frontend.routing.WorkerEndpoint;
import dev.tandem.protocol.grpc.ChoiceStart;
import dev.tandem.protocol.grpc.PrefillRequest;
import dev.tandem.protocol.grpc.PrefillResponse;
import dev.tandem.protocol.grpc.PrefillWorkerGrpc;
import dev.tandem.telemetry.RequestIds;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;

/** Runs prompts on prefill workers: the first reachable of the candidates runs it and keeps its KV under a handle. */
@ApplicationScoped
public class PrefillClient {

    private static final Logger LOG = Logger.getLogger(PrefillClient.class);

    /** A prompt run, and the worker that holds its KV. */
    public record Prefilled(PrefillResponse response, WorkerEndpoint worker) {

        /** Whether the prefill sampled choice {@code index}'s first token (a request for n choices gets them all). */
        public boolean serves(int index) {
            return index <= response.getChoicesCount();
        }

        /** How choice {@code index} starts: choice 0 in the response's own fields, the others in its choices. */
        public ChoiceStart start(int index) {
            if (index > 0) {
                return response.getChoices(index - 1);
            }
            ChoiceStart.Builder start = ChoiceStart.newBuilder().setFirstTokenId(response.getFirstTokenId())
                    .setFinishReason(response.getFinishReason());
            if (response.hasFirstLogprob()) {
                start.setFirstLogprob(response.getFirstLogprob());
            }
            return start.build();
        }
    }

    /**
     * @param trace  the context the call's spans are children of
     * @param trying hears of each worker as it is tried, before its call starts
     * @return null when no candidate answered (the caller may serve the request aggregated)
     */
    public Uni<Prefilled> prefill(PrefillRequest request, List<WorkerEndpoint> candidates, Context trace,
            RequestWorkers reached, Consumer<WorkerEndpoint> trying) {
        return Failover.uni(candidates, worker -> call(request, worker, trace, reached, trying), () -> {
            LOG.warnf("No prefill worker reachable for request %s: serving it aggregated", request.getRequestId());
            return Uni.createFrom().nullItem();
        });
    }

    private Uni<Prefilled> call(PrefillRequest request, WorkerEndpoint worker, Context trace,
            RequestWorkers reached, Consumer<WorkerEndpoint> trying) {
        LOG.debugv("prefill worker selected", kv("worker", worker.address()));
        trying.accept(worker);
        reached.reached(worker);
        worker.requestStarted();
        var stub = PrefillWorkerGrpc.newStub(worker.channel()).withInterceptors(RequestIds.attach(request.getRequestId()));
        return WorkerCalls.<PrefillRequest, PrefillResponse>unary(request, trace, stub::prefill)
                .map(response -> new Prefilled(response, worker))
                .onTermination().invoke(worker::requestEnded);
    }
}
