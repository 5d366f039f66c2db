package dev.tandem.frontend.api;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestMulti;

import dev.tandem.frontend.api.Choices.ChoiceDelta;
import dev.tandem.frontend.generation.GenerationService;
import dev.tandem.frontend.generation.PreparedRequest;
import dev.tandem.frontend.generation.TextDelta;
import dev.tandem.frontend.generation.TextStream;
import dev.tandem.frontend.model.ServedModel;
import dev.tandem.frontend.openai.ChatCompletionChunk;
import dev.tandem.frontend.openai.ChatCompletionResponse;
import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.frontend.openai.SseEvents;
import dev.tandem.frontend.openai.StreamChunk;
import dev.tandem.frontend.openai.ToolCall;
import dev.tandem.frontend.openai.Usage;
import dev.tandem.frontend.telemetry.RequestTelemetry;
import dev.tandem.frontend.tools.ToolCallReader;
import dev.tandem.telemetry.RequestIds;
import io.smallrye.mutiny.Multi;
import io.vertx.ext.web.RoutingContext;

/**
 * Runs a prepared request and writes the answer: an SSE stream of chunks ending in {@code data: [DONE]}, or one
 * JSON body, written as they are (OpenAI's framing, not Quarkus' SSE writer's). Either way the body is produced by one stream, so the HTTP status is decided by its first item or
 * its failure (a 503 when no worker answers) and a client that goes away cancels the work on the workers.
 */
@ApplicationScoped
public class CompletionResponder {

    private static final Logger LOG = Logger.getLogger(CompletionResponder.class);

    private final GenerationService generation;
    private final ServedModel model;
    private final SseEvents sse;

    public CompletionResponder(GenerationService generation, ServedModel model, SseEvents sse) {
        this.generation = generation;
        this.model = model;
        this.sse = sse;
    }

    RestMulti<WireText> respond(PreparedRequest request, ResponseShape shape, RoutingContext http, String id,
            RequestTelemetry telemetry) {
        return respond(request, shape, http, id, telemetry, null);
    }

    /** @param tools a reader of tool calls for each choice of a chat response; null when no tools are offered */
    RestMulti<WireText> respond(PreparedRequest request, ResponseShape shape, RoutingContext http, String id,
            RequestTelemetry telemetry, Supplier<ToolCallReader> tools) {
        long created = System.currentTimeMillis() / 1000;
        Multi<ChoiceDelta> deltas = Choices.of(request, telemetry, choices -> generation.generate(request.promptTokens(), choices)
                .stream().map(tokens -> TextStream.of(
                        tokens.onItem().invoke(chunk -> telemetry.tokens(chunk.tokenIds().size(), chunk.cachedTokens())),
                        model.tokenizer(), request.stop(), telemetry::detokenized))
                .toList())
                // a client that goes away stops the work on the workers at once; the HTTP layer only notices
                // when it next fails to write
                .onSubscription().invoke(subscription -> http.addEndHandler(ended -> {
                    if (ended.failed()) {
                        LOG.infof("Client of request %s disconnected; cancelling it", request.requestId());
                        telemetry.clientDisconnected();
                        subscription.cancel();
                    }
                }))
                .onCompletion().invoke(telemetry::completed)
                .onFailure().invoke(telemetry::failed)
                .onCancellation().invoke(telemetry::clientDisconnected);
        if (!request.stream()) {
            Multi<String> body = deltas.collect().asList().map(all -> sse.json(whole(request, shape, id, created, all, telemetry, tools)))
                    .toMulti();
            return RestMulti.fromMultiData(body.map(WireText::new)).encodeAsJsonArray(false)
                    .header("Content-Type", "application/json").header(RequestIds.HEADER, request.requestId()).build();
        }
        return RestMulti.fromMultiData(stream(request, shape, id, created, deltas, telemetry, tools).map(WireText::new))
                .encodeAsJsonArray(false)
                .header("Content-Type", "text/event-stream").header("Cache-Control", "no-cache")
                .header(RequestIds.HEADER, request.requestId()).build();
    }

    private Object whole(PreparedRequest request, ResponseShape shape, String id, long created, List<ChoiceDelta> all,
            RequestTelemetry telemetry, Supplier<ToolCallReader> tools) {
        List<List<ToolCall>> calls = new ArrayList<>(request.n());
        LogprobsMapping mapping = new LogprobsMapping(model.tokenizer());
        List<ResponseShape.Choice> choices = new ArrayList<>(request.n());
        int completionTokens = 0;
        for (int index = 0; index < request.n(); index++) {
            StringBuilder text = new StringBuilder();
            List<TextDelta.Token> tokens = new ArrayList<>();
            TextDelta last = null;
            for (ChoiceDelta choice : all) {
                if (choice.index() == index) {
                    text.append(choice.delta().text());
                    tokens.addAll(choice.delta().tokens());
                    last = choice.delta();
                }
            }
            if (last == null) {
                continue; // cannot happen: every choice ends with a finished delta
            }
            completionTokens += last.completionTokens();
            String content = text.toString();
            String reason = last.finishReason();
            if (tools != null) {
                ToolCallReader.Outcome outcome = tools.get().whole(content, reason);
                content = outcome.content();
                reason = outcome.finishReason();
                calls.add(outcome.calls());
            }
            choices.add(new ResponseShape.Choice(index, content, reason,
                    request.logprobs() == null ? null : shape.logprobs(mapping, tokens, 0)));
        }
        if (tools != null) {
            return new ChatCompletionResponse(id, created, request.model(), choices.stream()
                    .map(c -> new ChatCompletionResponse.Choice(c.index(), new ChatCompletionResponse.Message("assistant",
                            c.text(), calls.get(choices.indexOf(c)).isEmpty() ? null : calls.get(choices.indexOf(c))),
                            c.reason(), c.logprobs()))
                    .toList(), usage(request, completionTokens, telemetry.cachedTokens()));
        }
        return shape.whole(id, created, request.model(), choices, usage(request, completionTokens, telemetry.cachedTokens()));
    }

    private Multi<String> stream(PreparedRequest request, ResponseShape shape, String id, long created,
            Multi<ChoiceDelta> deltas, RequestTelemetry telemetry, Supplier<ToolCallReader> tools) {
        ToolCallReader[] readers = new ToolCallReader[request.n()];
        AtomicBoolean started = new AtomicBoolean();
        LogprobsMapping mapping = new LogprobsMapping(model.tokenizer());
        // per choice: whether its opening chunk went out, its text_offset so far, its tokens once finished
        boolean[] opened = new boolean[request.n()];
        int[] offsets = new int[request.n()];
        int[] finishedTokens = {0, 0}; // choices finished, their completion tokens
        Multi<String> chunks = deltas.onItem().transformToIterable(choice -> {
            TextDelta delta = choice.delta();
            int index = choice.index();
            List<StreamChunk> out = new ArrayList<>(4);
            started.set(true);
            // the opening chunk waits for the first token, so a request no worker takes still gets its 503
            if (!opened[index] && shape.opening(id, created, request.model(), index) != null) {
                out.add(shape.opening(id, created, request.model(), index));
            }
            opened[index] = true;
            Object logprobs = request.logprobs() == null ? null : shape.logprobs(mapping, delta.tokens(), offsets[index]);
            offsets[index] += mapping.length(delta.tokens());
            String text = delta.text();
            String finishReason = delta.finishReason();
            List<ToolCall> calls = List.of();
            if (tools != null) { // text that may be a tool call is held until it is read
                if (readers[index] == null) {
                    readers[index] = tools.get();
                }
                ToolCallReader.Step step = readers[index].next(text, finishReason);
                text = step.content();
                calls = step.calls();
                finishReason = step.finishReason();
            }
            if (!text.isEmpty() || logprobs != null) {
                out.add(shape.choice(id, created, request.model(), index, text, logprobs, null));
            }
            if (!calls.isEmpty()) {
                out.add(ChatCompletionChunk.toolCalls(id, created, request.model(), index, calls));
            }
            if (delta.finished()) {
                out.add(shape.choice(id, created, request.model(), index, "", null, finishReason));
                finishedTokens[0]++;
                finishedTokens[1] += delta.completionTokens();
            }
            if (request.includeUsage()) {
                out.replaceAll(StreamChunk::withNullUsage);
                if (delta.finished() && finishedTokens[0] == request.n()) {
                    out.add(shape.usage(id, created, request.model(),
                            usage(request, finishedTokens[1], telemetry.cachedTokens())));
                }
            }
            return out.stream().map(sse::event).toList();
        });
        return Multi.createBy().concatenating().streams(chunks, Multi.createFrom().item(SseEvents.DONE))
                // once the stream has started its status is sent: an OpenAI error event says what happened, then
                // [DONE] ends the stream as vLLM ends it, so that clients stop reading at once
                .onFailure(error -> started.get()).recoverWithMulti(error -> {
                    OpenAiException apiError = error instanceof OpenAiException e ? e : OpenAiException.internal("generation failed");
                    LOG.warnf("Stream %s ended with an error: %s", id, error.getMessage());
                    return Multi.createFrom().items(sse.error(apiError), SseEvents.DONE);
                });
    }

    private static Usage usage(PreparedRequest request, int completionTokens, int cachedTokens) {
        return Usage.of(request.promptTokens().length, completionTokens, cachedTokens);
    }
}
