package dev.tandem.frontend.generation;

import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.tandem.frontend.config.FrontendConfig;
import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.frontend.routing.BusyThresholds;
import dev.tandem.frontend.routing.WorkerDirectory;
import dev.tandem.frontend.routing.WorkerEndpoint;
import dev.tandem.frontend.routing.WorkerRole;
import dev.tandem.frontend.routing.WorkerRouter;
import dev.tandem.frontend.workers.DecodeClient;
import dev.tandem.frontend.workers.PrefillClient;
import dev.tandem.frontend.workers.PrefillClient.Prefilled;
import dev.tandem.frontend.workers.RequestWorkers;
import dev.tandem.frontend.workers.TokenChunk;
import dev.tandem.frontend.workers.WorkerErrors;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.protocol.grpc.PrefillRequest;
import dev.tandem.protocol.grpc.PrefillResponse;
import dev.tandem.protocol.grpc.SamplingParams;
import dev.tandem.telemetry.DynamoSpanProcessor;
import dev.tandem.telemetry.SpanFields;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Multi;

/**
 * Runs one request on the workers, as the {@link WorkerRouter} ranks them. Disaggregated while there are prefill
 * workers: the best reachable prefill worker runs the prompt and returns the first token at once; a decode worker
 * then pulls that KV and streams the rest. Aggregated when there are none, or none answers: a decode worker does
 * both. Failover between workers before anything was received is the clients' ({@link PrefillClient},
 * {@link DecodeClient}); a worker lost mid-stream is {@link Migration}'s: the request runs again, from what it has
 * generated, on the workers left. A request that every worker it needs is too busy for is refused at once
 * ({@link BusyThresholds}). A request that ends early is cancelled on every worker it reached ({@link RequestWorkers}).
 */
@ApplicationScoped
public class GenerationService {

    private final WorkerDirectory directory;
    private final WorkerRouter router;
    private final PrefillClient prefill;
    private final DecodeClient decode;
    private final Tracer tracer;
    private final BusyThresholds busy;
    private final FrontendConfig.Migration migration;
    private final int retryAfterSeconds;

    public GenerationService(WorkerDirectory directory, WorkerRouter router, PrefillClient prefill, DecodeClient decode,
            Tracer tracer, BusyThresholds busy, FrontendConfig config) {
        this.directory = directory;
        this.router = router;
        this.prefill = prefill;
        this.decode = decode;
        this.tracer = tracer;
        this.busy = busy;
        this.migration = config.migration();
        this.retryAfterSeconds = config.busy().retryAfterSeconds();
    }

    /**
     * Runs in the request's context: its current span (the {@code http-request} span) is the parent of the
     * workers' spans. A request that finds every worker it needs busy is refused at once; one whose worker is lost
     * mid-stream migrates ({@link Migration}).
     */
    public Multi<TokenChunk> generate(String requestId, int[] prompt, SamplingParams sampling, RequestListener listener) {
        Context trace = Context.current();
        RequestWorkers reached = new RequestWorkers(requestId);
        OpenAiException refusal = refusal();
        if (refusal != null) {
            return Multi.createFrom().failure(refusal);
        }
        Migration state = new Migration(requestId, prompt, sampling, migration.limit(), migration.maxSeqLen(), listener);
        return Multi.createFrom().deferred(() -> attempt(requestId, state.prompt(), state.sampling(), trace, reached, listener))
                .onItem().invoke(state::received)
                .onFailure(state::migrates).retry().indefinitely()
                .onFailure().transform(state::explain)
                .onCancellation().invoke(reached::cancelAll)
                // a KV handle that no decode worker will pull is freed at once rather than at its timeout
                .onFailure().invoke(reached::cancelAll)
                .onFailure().transform(WorkerErrors::toApiError);
    }

    /** The refusal of a request that every worker of a role it needs is too busy for; null when one can take it. */
    private OpenAiException refusal() {
        boolean disaggregated = directory.hasRole(WorkerRole.PREFILL);
        boolean decodeBusy = busy.allBusy(directory.candidates(WorkerRole.DECODE), !disaggregated);
        boolean prefillBusy = disaggregated && busy.allBusy(directory.candidates(WorkerRole.PREFILL), true);
        if (!decodeBusy && !prefillBusy) {
            return null;
        }
        return OpenAiException.busy(WorkerErrors.ALL_BUSY + ", please retry later", retryAfterSeconds);
    }

    private Multi<TokenChunk> attempt(String requestId, int[] prompt, SamplingParams sampling, Context trace,
            RequestWorkers reached, RequestListener listener) {
        List<Integer> promptIds = Arrays.stream(prompt).boxed().toList();
        GenerateRequest.Builder generate = GenerateRequest.newBuilder()
                .setRequestId(requestId).addAllPromptTokenIds(promptIds).setSampling(sampling);
        return directory.hasRole(WorkerRole.PREFILL)
                ? disaggregated(PrefillRequest.newBuilder().setRequestId(requestId).addAllPromptTokenIds(promptIds)
                        .setSampling(sampling).build(), generate, prompt, trace, reached, listener)
                : aggregated(generate.build(), prompt, trace, reached, listener);
    }

    private Multi<TokenChunk> disaggregated(PrefillRequest request, GenerateRequest.Builder generate, int[] prompt,
            Context trace, RequestWorkers reached, RequestListener listener) {
        // prefill_routing: choosing the prefill worker and the prefill call, the parent of that call's spans
        Span routing = tracer.spanBuilder(SpanFields.PREFILL_ROUTING).setParent(trace).startSpan();
        long routingStart = System.nanoTime();
        List<WorkerEndpoint> candidates = router.candidates(WorkerRole.PREFILL, prompt);
        long routingNanos = System.nanoTime() - routingStart;
        listener.dispatched(routingNanos);
        return prefill.prefill(request, candidates, trace.with(routing), reached, worker -> router.sent(worker, prompt))
                .invoke(prefilled -> {
                    if (prefilled != null) {
                        listener.prefillWorker(workerId(prefilled.worker()));
                    }
                })
                .onTermination().invoke(() -> {
                    DynamoSpanProcessor.busyIdle(routing, routingNanos, System.nanoTime() - routingStart);
                    routing.end();
                })
                .onItem().transformToMulti(prefilled -> prefilled == null
                        ? decode(generate.build(), prompt, trace, reached, listener)
                        : afterPrefill(prefilled, generate, prompt, trace, reached, listener));
    }

    private Multi<TokenChunk> aggregated(GenerateRequest request, int[] prompt, Context trace, RequestWorkers reached,
            RequestListener listener) {
        long routingStart = System.nanoTime();
        List<WorkerEndpoint> candidates = decodeCandidates(prompt);
        listener.dispatched(System.nanoTime() - routingStart);
        return decode.generate(request, candidates, trace, reached, worker -> {
            router.sent(worker, prompt);
            listener.decodeWorker(workerId(worker), true);
        });
    }

    private Multi<TokenChunk> afterPrefill(Prefilled prefilled, GenerateRequest.Builder generate, int[] prompt,
            Context trace, RequestWorkers reached, RequestListener listener) {
        PrefillResponse response = prefilled.response();
        TokenChunk first = new TokenChunk(List.of(response.getFirstTokenId()), response.getFinishReason(),
                response.getCachedTokens(), response.hasFirstLogprob() ? List.of(response.getFirstLogprob()) : List.of());
        if (first.finished()) {
            return Multi.createFrom().item(first);
        }
        GenerateRequest request = generate.setKvSource(response.getKvHandle())
                .setFirstTokenId(response.getFirstTokenId()).build();
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(first),
                decode(request, prompt, trace, reached, listener));
    }

    private Multi<TokenChunk> decode(GenerateRequest request, int[] prompt, Context trace, RequestWorkers reached,
            RequestListener listener) {
        return decode.generate(request, decodeCandidates(prompt), trace, reached, worker -> {
            router.sent(worker, prompt);
            listener.decodeWorker(workerId(worker), !request.hasKvSource());
        });
    }

    /**
     * The decode workers to try, best first; when every one is marked unreachable, all that are not draining: the
     * marks may be stale (a poll that timed out, a worker that was paused), and trying costs a refused connection.
     */
    private List<WorkerEndpoint> decodeCandidates(int[] prompt) {
        List<WorkerEndpoint> ranked = router.candidates(WorkerRole.DECODE, prompt);
        return !ranked.isEmpty() ? ranked
                : directory.all(WorkerRole.DECODE).stream().filter(worker -> !worker.draining()).toList();
    }

    /** The worker's own id once it has reported one, else its address. */
    private static String workerId(WorkerEndpoint worker) {
        var info = worker.lastInfo();
        return info != null && !info.getWorkerId().isEmpty() ? info.getWorkerId() : worker.address();
    }
}
