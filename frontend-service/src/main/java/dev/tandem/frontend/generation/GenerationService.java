package dev.tandem.frontend.generation;

import dev.tandem.telemetry.logging.LogField;

import static dev.tandem.telemetry.logging.LogField.kv;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.frontend.routing.WorkerDirectory;
import dev.tandem.frontend.routing.WorkerEndpoint;
import dev.tandem.frontend.routing.WorkerRole;
import dev.tandem.frontend.routing.WorkerRouter;
import dev.tandem.telemetry.DynamoSpanProcessor;
import dev.tandem.telemetry.RequestIds;
import dev.tandem.telemetry.SpanFields;
import dev.tandem.protocol.grpc.CancelRequest;
import dev.tandem.protocol.grpc.CancelResponse;
import dev.tandem.protocol.grpc.DecodeWorkerGrpc;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.protocol.grpc.GenerateResponse;
import dev.tandem.protocol.grpc.PrefillRequest;
import dev.tandem.protocol.grpc.PrefillResponse;
import dev.tandem.protocol.grpc.PrefillWorkerGrpc;
import dev.tandem.protocol.grpc.SamplingParams;
import dev.tandem.protocol.grpc.WorkerGrpc;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Runs one request on the workers, as the {@link WorkerRouter} ranks them. Disaggregated while there are prefill
 * workers: the best reachable prefill worker runs the prompt and returns the first token at once; a decode worker then pulls
 * that KV and streams the rest. Aggregated when there are none, or none answers: a decode worker does both.
 * An unreachable worker is skipped for the next one, as long as nothing has been streamed from it yet.
 */
@ApplicationScoped
public class GenerationService {

    private static final Logger LOG = Logger.getLogger(GenerationService.class);

    private record Prefilled(PrefillResponse response, WorkerEndpoint worker) {
    }

    private final WorkerDirectory directory;
    private final WorkerRouter router;
    private final Tracer tracer;

    public GenerationService(WorkerDirectory directory, WorkerRouter router, Tracer tracer) {
        this.directory = directory;
        this.router = router;
        this.tracer = tracer;
    }

    /**
     * Runs in the request's context: its current span (the {@code http-request} span) is the parent of the
     * workers' spans.
     *
     * @param chosen hears of the workers that serve the request
     */
    public Multi<TokenChunk> generate(String requestId, int[] prompt, SamplingParams sampling, ChosenWorkers chosen) {
        Context trace = Context.current();
        List<Integer> promptIds = Arrays.stream(prompt).boxed().toList();
        GenerateRequest.Builder generate = GenerateRequest.newBuilder()
                .setRequestId(requestId).addAllPromptTokenIds(promptIds).setSampling(sampling);
        Multi<TokenChunk> tokens;
        if (directory.hasRole(WorkerRole.PREFILL)) {
            PrefillRequest prefill = PrefillRequest.newBuilder()
                    .setRequestId(requestId).addAllPromptTokenIds(promptIds).setSampling(sampling).build();
            // prefill_routing: choosing the prefill worker and the prefill call, the parent of that call's spans
            Span routing = tracer.spanBuilder(SpanFields.PREFILL_ROUTING).setParent(trace).startSpan();
            long routingStart = System.nanoTime();
            List<WorkerEndpoint> candidates = router.candidates(WorkerRole.PREFILL, prompt);
            long routingNanos = System.nanoTime() - routingStart;
            chosen.dispatched(routingNanos);
            tokens = prefill(prefill, prompt, candidates, 0, trace.with(routing), chosen)
                    .onTermination().invoke(() -> {
                        DynamoSpanProcessor.busyIdle(routing, routingNanos, System.nanoTime() - routingStart);
                        routing.end();
                    })
                    .onItem().transformToMulti(prefilled -> prefilled == null
                            ? decode(generate.build(), prompt, trace, chosen)
                            : afterPrefill(prefilled, generate, prompt, trace, chosen));
        } else {
            long routingStart = System.nanoTime();
            List<WorkerEndpoint> candidates = router.candidates(WorkerRole.DECODE, prompt);
            chosen.dispatched(System.nanoTime() - routingStart);
            tokens = decode(generate.build(), prompt, candidates, 0, trace, chosen);
        }
        return tokens.onFailure().transform(WorkerErrors::toApiError);
    }

    /** Null when no prefill worker answered: the caller falls back to aggregated serving. */
    private Uni<Prefilled> prefill(PrefillRequest request, int[] prompt, List<WorkerEndpoint> candidates, int index,
            Context trace, ChosenWorkers chosen) {
        if (index >= candidates.size()) {
            LOG.warnf("No prefill worker reachable for request %s: serving it aggregated", request.getRequestId());
            return Uni.createFrom().nullItem();
        }
        WorkerEndpoint worker = candidates.get(index);
        LOG.debugv("prefill worker selected", kv("worker", worker.address()));
        router.sent(worker, prompt);
        worker.requestStarted();
        var stub = PrefillWorkerGrpc.newStub(worker.channel()).withInterceptors(RequestIds.attach(request.getRequestId()));
        return GrpcCalls.<PrefillRequest, PrefillResponse>unary(request, (q, observer) -> inContext(trace, () -> stub.prefill(q, observer)))
                .invoke(() -> chosen.prefillWorker(workerId(worker)))
                .map(response -> new Prefilled(response, worker))
                .onTermination().invoke(worker::requestEnded)
                .onCancellation().invoke(() -> cancelOn(worker, request.getRequestId()))
                .onFailure(WorkerErrors::isUnreachable).recoverWithUni(error -> {
                    worker.markUnreachable();
                    return prefill(request, prompt, candidates, index + 1, trace, chosen);
                });
    }

    private Multi<TokenChunk> afterPrefill(Prefilled prefilled, GenerateRequest.Builder generate, int[] prompt,
            Context trace, ChosenWorkers chosen) {
        PrefillResponse response = prefilled.response();
        TokenChunk first = new TokenChunk(List.of(response.getFirstTokenId()), response.getFinishReason(),
                response.getCachedTokens());
        if (first.finished()) {
            return Multi.createFrom().item(first);
        }
        GenerateRequest request = generate.setKvSource(response.getKvHandle())
                .setFirstTokenId(response.getFirstTokenId()).build();
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(first), decode(request, prompt, trace, chosen))
                // a handle that was never pulled (the client went away, no decode worker took the request) is freed
                // at once rather than at its timeout
                .onCancellation().invoke(() -> cancelOn(prefilled.worker(), request.getRequestId()))
                .onFailure().invoke(() -> cancelOn(prefilled.worker(), request.getRequestId()));
    }

    private Multi<TokenChunk> decode(GenerateRequest request, int[] prompt, Context trace, ChosenWorkers chosen) {
        return decode(request, prompt, router.candidates(WorkerRole.DECODE, prompt), 0, trace, chosen);
    }

    private Multi<TokenChunk> decode(GenerateRequest request, int[] prompt, List<WorkerEndpoint> candidates, int index,
            Context trace, ChosenWorkers chosen) {
        if (index >= candidates.size()) {
            return Multi.createFrom().failure(OpenAiException.serviceUnavailable(
                    "No decode worker reachable (" + directory.all(WorkerRole.DECODE).size() + " configured)"));
        }
        WorkerEndpoint worker = candidates.get(index);
        LOG.debugv("decode worker selected", kv("worker", worker.address()));
        AtomicBoolean streaming = new AtomicBoolean();
        router.sent(worker, prompt);
        worker.requestStarted();
        var stub = DecodeWorkerGrpc.newStub(worker.channel()).withInterceptors(RequestIds.attach(request.getRequestId()));
        return GrpcCalls.<GenerateRequest, GenerateResponse>serverStream(request,
                        (q, observer) -> {
                            chosen.decodeWorker(workerId(worker), !request.hasKvSource());
                            inContext(trace, () -> stub.generate(q, observer));
                        })
                .onItem().invoke(() -> streaming.set(true))
                .map(response -> new TokenChunk(response.getTokenIdsList(), response.getFinishReason(),
                        response.getCachedTokens()))
                .onTermination().invoke(worker::requestEnded)
                // said explicitly as well: the worker's gRPC server does not always see a stream cancelled
                .onCancellation().invoke(() -> cancelOn(worker, request.getRequestId()))
                .onFailure(error -> !streaming.get() && WorkerErrors.isUnreachable(error)).recoverWithMulti(error -> {
                    worker.markUnreachable();
                    return decode(request, prompt, candidates, index + 1, trace, chosen);
                });
    }

    private void cancelOn(WorkerEndpoint worker, String requestId) {
        WorkerGrpc.newStub(worker.channel()).withInterceptors(RequestIds.attach(requestId))
                .cancel(CancelRequest.newBuilder().setRequestId(requestId).build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(CancelResponse value) {
                    }

                    @Override
                    public void onError(Throwable error) {
                        LOG.debugf("Cancel of %s on %s failed: %s", requestId, worker.address(), error.getMessage());
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
    }

    /** The worker's own id once it has reported one, else its address. */
    private static String workerId(WorkerEndpoint worker) {
        var info = worker.lastInfo();
        return info != null && !info.getWorkerId().isEmpty() ? info.getWorkerId() : worker.address();
    }

    private static void inContext(Context trace, Runnable call) {
        try (var scope = trace.makeCurrent()) {
            call.run();
        }
    }
}
