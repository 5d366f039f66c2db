package dev.tandem.frontend.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestMulti;

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

    /** @param tools reads tool calls from a chat response's text; null when no tools are offered */
    RestMulti<WireText> respond(PreparedRequest request, ResponseShape shape, RoutingContext http, String id,
            RequestTelemetry telemetry, ToolCallReader tools) {
        long created = System.currentTimeMillis() / 1000;
        Multi<TextDelta> deltas = TextStream.of(
                generation.generate(request.requestId(), request.promptTokens(), request.sampling(), telemetry)
                        .onItem().invoke(chunk -> telemetry.tokens(chunk.tokenIds().size(), chunk.cachedTokens())),
                model.tokenizer(), request.stop(), telemetry::detokenized)
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

    private Object whole(PreparedRequest request, ResponseShape shape, String id, long created, List<TextDelta> all,
            RequestTelemetry telemetry, ToolCallReader tools) {
        StringBuilder text = new StringBuilder();
        all.forEach(delta -> text.append(delta.text()));
        TextDelta last = all.getLast();
        if (tools != null) {
            ToolCallReader.Outcome outcome = tools.whole(text.toString(), last.finishReason());
            if (!outcome.calls().isEmpty()) {
                return ChatCompletionResponse.ofToolCalls(id, created, request.model(), outcome.content(),
                        outcome.calls(), outcome.finishReason(),
                        usage(request, last.completionTokens(), telemetry.cachedTokens()));
            }
        }
        return shape.whole(id, created, request.model(), text.toString(), last.finishReason(),
                usage(request, last.completionTokens(), telemetry.cachedTokens()));
    }

    private Multi<String> stream(PreparedRequest request, ResponseShape shape, String id, long created,
            Multi<TextDelta> deltas, RequestTelemetry telemetry, ToolCallReader tools) {
        AtomicBoolean started = new AtomicBoolean();
        Multi<String> chunks = deltas.onItem().transformToIterable(delta -> {
            List<StreamChunk> out = new ArrayList<>(4);
            // the opening chunk waits for the first token, so a request no worker takes still gets its 503
            if (started.compareAndSet(false, true) && shape.opening(id, created, request.model()) != null) {
                out.add(shape.opening(id, created, request.model()));
            }
            String text = delta.text();
            String finishReason = delta.finishReason();
            List<ToolCall> calls = List.of();
            if (tools != null) { // text that may be a tool call is held until it is read
                ToolCallReader.Step step = tools.next(text, finishReason);
                text = step.content();
                calls = step.calls();
                finishReason = step.finishReason();
            }
            if (!text.isEmpty()) {
                out.add(shape.content(id, created, request.model(), text));
            }
            if (!calls.isEmpty()) {
                out.add(ChatCompletionChunk.toolCalls(id, created, request.model(), calls));
            }
            if (delta.finished()) {
                out.add(shape.finish(id, created, request.model(), finishReason));
            }
            if (request.includeUsage()) {
                out.replaceAll(StreamChunk::withNullUsage);
                if (delta.finished()) {
                    out.add(shape.usage(id, created, request.model(),
                            usage(request, delta.completionTokens(), telemetry.cachedTokens())));
                }
            }
            return out.stream().map(sse::event).toList();
        });
        return Multi.createBy().concatenating().streams(chunks, Multi.createFrom().item(SseEvents.DONE))
                .onFailure(error -> started.get()).recoverWithItem(error -> {
                    OpenAiException apiError = error instanceof OpenAiException e ? e : OpenAiException.internal("generation failed");
                    LOG.warnf("Stream %s ended with an error: %s", id, error.getMessage());
                    return sse.error(apiError);
                });
    }

    private static Usage usage(PreparedRequest request, int completionTokens, int cachedTokens) {
        return Usage.of(request.promptTokens().length, completionTokens, cachedTokens);
    }
}
