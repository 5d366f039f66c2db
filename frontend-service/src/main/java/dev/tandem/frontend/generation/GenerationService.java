package dev.tandem.frontend.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

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
import dev.tandem.protocol.grpc.ChoiceStart;
import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.protocol.grpc.PrefillRequest;
import dev.tandem.protocol.grpc.SamplingParams;
import dev.tandem.telemetry.DynamoSpanProcessor;
import dev.tandem.telemetry.SpanFields;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Runs one request on the workers, as the {@link WorkerRouter} ranks them. Disaggregated while there are prefill
 * workers: the best reachable prefill worker runs the prompt and returns the first token at once; a decode worker
 * then pulls that KV and streams the rest. Aggregated when there are none, or none answers: a decode worker does
 * both. Failover between workers before anything was received is the clients' ({@link PrefillClient},
 * {@link DecodeClient}); a worker lost mid-stream is {@link Migration}'s: the request runs again, from what it has
 * generated, on the workers left. A request that every worker it needs is too busy for is refused at once
 * ({@link BusyThresholds}). A request that ends early is cancelled on every worker it reached ({@link RequestWorkers}).
 * The {@code n} choices of a request share one prefill ({@link #generate(int[], List)}).
 */
@ApplicationScoped
public class GenerationService {

    private static final Logger LOG = Logger.getLogger(GenerationService.class);

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
     * One of a request's choices (OpenAI's {@code n}): its workers' request id, its sampling (its own seed), and who
     * hears of its routing.
     */
    public record Choice(String requestId, SamplingParams sampling, RequestListener listener) {
    }

    /**
     * Runs in the request's context: its current span (the {@code http-request} span) is the parent of the
     * workers' spans. A request that finds every worker it needs busy is refused at once; one whose worker is lost
     * mid-stream migrates ({@link Migration}).
     */
    public Multi<TokenChunk> generate(String requestId, int[] prompt, SamplingParams sampling, RequestListener listener) {
        return generate(prompt, List.of(new Choice(requestId, sampling, listener))).getFirst();
    }

    /**
     * The choices of one request, a stream each, each migrating on its own. Disaggregated, one prefill call runs the
     * prompt for all of them and samples each one's first token; then each decodes from the one KV handle, on the
     * decode worker the router picks for it, which pulls only the blocks its prefix cache lacks. Aggregated, or when
     * the shared prefill fails, each runs alone: choice 0 at once, the others once its first token is back, when
     * the prompt's full blocks are in the prefix cache of the worker that ran it (where the router sends the same
     * prompt again).
     */
    public List<Multi<TokenChunk>> generate(int[] prompt, List<Choice> choices) {
        Context trace = Context.current();
        OpenAiException refusal = refusal();
        if (refusal != null) {
            return choices.stream().map(choice -> Multi.createFrom().<TokenChunk>failure(refusal)).toList();
        }
        List<RequestWorkers> reached = choices.stream().map(choice -> new RequestWorkers(choice.requestId())).toList();
        Uni<Prefilled> shared = choices.size() > 1 && directory.hasRole(WorkerRole.PREFILL)
                ? sharedPrefill(prompt, choices, trace, RequestWorkers.sharedBy(reached)).memoize().indefinitely()
                : null;
        CompletableFuture<Void> promptDone = new CompletableFuture<>(); // choice 0's first token is back, or it ended
        List<Multi<TokenChunk>> streams = new ArrayList<>(choices.size());
        for (int i = 0; i < choices.size(); i++) {
            Choice choice = choices.get(i);
            Uni<Multi<TokenChunk>> alone = i == 0 ? Uni.createFrom().nullItem()
                    : Uni.createFrom().completionStage(promptDone).<Multi<TokenChunk>>map(done -> null);
            Uni<Multi<TokenChunk>> start = shared == null ? alone
                    : fromSharedPrefill(shared, i, alone, choice, prompt, trace, reached.get(i));
            Runnable started = i == 0 ? () -> promptDone.complete(null) : () -> {
            };
            streams.add(run(choice, prompt, start, trace, reached.get(i), started));
        }
        return streams;
    }

    /**
     * One choice's attempts: the first starts as {@code start} says (null: on its own), the ones after a lost
     * worker run on their own, from what the choice has generated.
     *
     * @param started runs when the choice's first token is back, or when it ends without one
     */
    private Multi<TokenChunk> run(Choice choice, int[] prompt, Uni<Multi<TokenChunk>> start, Context trace,
            RequestWorkers reached, Runnable started) {
        Migration state = new Migration(choice.requestId(), prompt, choice.sampling(), migration.limit(),
                migration.maxSeqLen(), choice.listener());
        Multi<TokenChunk> alone = Multi.createFrom().deferred(() -> state.budgetSpent()
                ? Multi.createFrom().item(new TokenChunk(List.of(), FinishReason.FINISH_REASON_LENGTH, 0))
                : attempt(choice.requestId(), state.prompt(), state.sampling(), trace, reached, choice.listener()));
        AtomicBoolean first = new AtomicBoolean(true);
        return Multi.createFrom().deferred(() -> first.getAndSet(false)
                        ? start.onItem().transformToMulti(from -> from != null ? from : alone)
                        : alone)
                .onItem().invoke(state::received)
                .onItem().invoke(started)
                .onFailure(state::migrates).retry().indefinitely()
                .onTermination().invoke(started)
                .onFailure().transform(state::explain)
                .onCancellation().invoke(reached::cancelAll)
                // a KV handle that no decode worker will pull is freed at once rather than at its timeout
                .onFailure().invoke(reached::cancelAll)
                .onFailure().transform(WorkerErrors::toApiError);
    }

    /** Choice {@code index}'s first attempt: from the shared prefill when it served that choice, else {@code alone}. */
    private Uni<Multi<TokenChunk>> fromSharedPrefill(Uni<Prefilled> shared, int index, Uni<Multi<TokenChunk>> alone,
            Choice choice, int[] prompt, Context trace, RequestWorkers reached) {
        return shared.onItemOrFailure().transformToUni((prefilled, failure) -> prefilled != null && prefilled.serves(index)
                ? Uni.createFrom().item(afterPrefill(prefilled, index, generateRequest(choice.requestId(), prompt,
                        choice.sampling()), prompt, trace, reached, choice.listener()))
                : alone);
    }

    /** One prefill call for all the choices, on choice 0's request id and seed; routing events are choice 0's. */
    private Uni<Prefilled> sharedPrefill(int[] prompt, List<Choice> choices, Context trace, RequestWorkers reached) {
        Choice first = choices.getFirst();
        return Uni.createFrom().deferred(() -> prefill(prefillRequest(first.requestId(), prompt, first.sampling())
                        .setN(choices.size()).build(), prompt, trace, reached, first.listener()))
                .onFailure().invoke(error -> LOG.infof("The shared prefill of request %s's %d choices failed (%s): "
                        + "they run one by one", first.requestId(), choices.size(), WorkerErrors.describe(error)));
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
        GenerateRequest.Builder generate = generateRequest(requestId, prompt, sampling);
        return directory.hasRole(WorkerRole.PREFILL)
                ? disaggregated(prefillRequest(requestId, prompt, sampling).build(), generate, prompt, trace, reached, listener)
                : aggregated(generate.build(), prompt, trace, reached, listener);
    }

    private static GenerateRequest.Builder generateRequest(String requestId, int[] prompt, SamplingParams sampling) {
        return GenerateRequest.newBuilder().setRequestId(requestId).addAllPromptTokenIds(ids(prompt)).setSampling(sampling);
    }

    private static PrefillRequest.Builder prefillRequest(String requestId, int[] prompt, SamplingParams sampling) {
        return PrefillRequest.newBuilder().setRequestId(requestId).addAllPromptTokenIds(ids(prompt)).setSampling(sampling);
    }

    private static List<Integer> ids(int[] prompt) {
        return Arrays.stream(prompt).boxed().toList();
    }

    private Multi<TokenChunk> disaggregated(PrefillRequest request, GenerateRequest.Builder generate, int[] prompt,
            Context trace, RequestWorkers reached, RequestListener listener) {
        return prefill(request, prompt, trace, reached, listener)
                .onItem().transformToMulti(prefilled -> prefilled == null
                        ? decode(generate.build(), prompt, trace, reached, listener)
                        : afterPrefill(prefilled, 0, generate, prompt, trace, reached, listener));
    }

    /** The prompt run on the best reachable prefill worker; null when none answered. */
    private Uni<Prefilled> prefill(PrefillRequest request, int[] prompt, Context trace, RequestWorkers reached,
            RequestListener listener) {
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
                });
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

    /** Choice {@code index}'s first token from the prefill, then the rest from a decode worker that pulls the KV. */
    private Multi<TokenChunk> afterPrefill(Prefilled prefilled, int index, GenerateRequest.Builder generate, int[] prompt,
            Context trace, RequestWorkers reached, RequestListener listener) {
        ChoiceStart start = prefilled.start(index);
        TokenChunk first = new TokenChunk(List.of(start.getFirstTokenId()), start.getFinishReason(),
                prefilled.response().getCachedTokens(), start.hasFirstLogprob() ? List.of(start.getFirstLogprob()) : List.of());
        if (first.finished()) {
            return Multi.createFrom().item(first);
        }
        GenerateRequest request = generate.setKvSource(prefilled.response().getKvHandle())
                .setFirstTokenId(start.getFirstTokenId()).build();
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
