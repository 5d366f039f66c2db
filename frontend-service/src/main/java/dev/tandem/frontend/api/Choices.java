package dev.tandem.frontend.api;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import dev.tandem.frontend.generation.GenerationService.Choice;
import dev.tandem.frontend.generation.PreparedRequest;
import dev.tandem.frontend.generation.RequestListener;
import dev.tandem.frontend.generation.TextDelta;
import dev.tandem.protocol.ChoiceIds;
import dev.tandem.protocol.grpc.SamplingParams;
import io.smallrye.mutiny.Multi;

/**
 * The {@code n} choices of a request, as one stream of text deltas tagged with their choice's index.
 *
 * <p>Each choice is its own generation on the workers: request id {@code <id>} for choice 0 and {@code <id>-<i>}
 * for the others ({@link ChoiceIds}, so each can be cancelled alone), and seed {@code seed + i}, so a seeded request
 * gives the same choices every time while each choice draws its own tokens. How the choices share the prompt's
 * KV is the generation's ({@link dev.tandem.frontend.generation.GenerationService#generate(int[], List)}).
 */
final class Choices {

    /** New text of choice {@code index}. */
    record ChoiceDelta(int index, TextDelta delta) {
    }

    /** Runs the choices: one stream of text for each, in their order. */
    @FunctionalInterface
    interface Generation {
        List<Multi<TextDelta>> run(List<Choice> choices);
    }

    private Choices() {
    }

    static Multi<ChoiceDelta> of(PreparedRequest request, RequestListener listener, Generation generation) {
        // the routing of the choices after the first is not the request's own (it would read as retries)
        List<Choice> choices = IntStream.range(0, Math.max(1, request.n()))
                .mapToObj(i -> new Choice(ChoiceIds.of(request.requestId(), i), sampling(request.sampling(), i),
                        i == 0 ? listener : RequestListener.NONE))
                .toList();
        List<Multi<TextDelta>> texts = generation.run(choices);
        List<Multi<ChoiceDelta>> tagged = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            int index = i;
            tagged.add(texts.get(i).map(delta -> new ChoiceDelta(index, delta)));
        }
        return tagged.size() == 1 ? tagged.getFirst() : Multi.createBy().merging().streams(tagged);
    }

    /** Choice {@code index}'s sampling: the request's, with its own seed. */
    private static SamplingParams sampling(SamplingParams request, int index) {
        return index == 0 ? request : request.toBuilder().setSeed(request.getSeed() + index).build();
    }
}
