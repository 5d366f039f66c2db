package dev.tandem.frontend.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import dev.tandem.frontend.generation.PreparedRequest;
import dev.tandem.frontend.generation.RequestListener;
import dev.tandem.frontend.generation.TextDelta;
import dev.tandem.frontend.workers.TokenChunk;
import dev.tandem.protocol.grpc.SamplingParams;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The {@code n} choices of a request, as one stream of text deltas tagged with their choice's index.
 *
 * <p>Each choice is its own generation on the workers: request id {@code <id>} for choice 0 and {@code <id>-<i>}
 * for the others (so each can be cancelled alone), and seed {@code seed + i}, so a seeded request gives the same
 * choices every time while each choice draws its own tokens. Choices 1..n-1 start once choice 0's first token has
 * arrived: the prompt's KV is in the prefix cache of the worker that ran it by then, and the router sends the same
 * prompt back there, so the prompt's full blocks are computed once and shared (by reference count); only the
 * partial last block is recomputed per choice.
 */
final class Choices {

    /** New text of choice {@code index}. */
    record ChoiceDelta(int index, TextDelta delta) {
    }

    /** Runs one choice; {@code started} hears of each of its token chunks. */
    @FunctionalInterface
    interface Generation {
        Multi<TextDelta> run(String requestId, SamplingParams sampling, RequestListener listener,
                Consumer<TokenChunk> started);
    }

    /** Routing events of the choices after the first are not the request's own (they would read as retries). */
    private static final RequestListener QUIET = new RequestListener() {
        @Override
        public void templated(long nanos) {
        }

        @Override
        public void prepared(int promptTokens, long tokenizeNanos) {
        }

        @Override
        public void dispatched(long routingNanos) {
        }

        @Override
        public void prefillWorker(String workerId) {
        }

        @Override
        public void decodeWorker(String workerId, boolean aggregated) {
        }
    };

    private Choices() {
    }

    static Multi<ChoiceDelta> of(PreparedRequest request, RequestListener listener, Generation generation) {
        if (request.n() <= 1) {
            return generation.run(request.requestId(), request.sampling(), listener, chunk -> {
            }).map(delta -> new ChoiceDelta(0, delta));
        }
        CompletableFuture<Void> promptDone = new CompletableFuture<>();
        List<Multi<ChoiceDelta>> choices = new ArrayList<>(request.n());
        for (int i = 0; i < request.n(); i++) {
            int index = i;
            if (i == 0) {
                choices.add(generation.run(request.requestId(), request.sampling(), listener, chunk -> promptDone.complete(null))
                        .onTermination().invoke(() -> promptDone.complete(null))
                        .map(delta -> new ChoiceDelta(0, delta)));
                continue;
            }
            SamplingParams sampling = request.sampling().toBuilder().setSeed(request.sampling().getSeed() + i).build();
            choices.add(Uni.createFrom().completionStage(promptDone)
                    .onItem().transformToMulti(ignored -> generation.run(choiceId(request.requestId(), index), sampling,
                            QUIET, chunk -> {
                            }))
                    .map(delta -> new ChoiceDelta(index, delta)));
        }
        return Multi.createBy().merging().streams(choices);
    }

    /** The workers' request id of choice {@code index}. */
    static String choiceId(String requestId, int index) {
        return index == 0 ? requestId : requestId + "-" + index;
    }
}
