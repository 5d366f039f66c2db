package dev.tandem.frontend.generation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

import dev.tandem.frontend.text.IncrementalDetokenizer;
import dev.tandem.frontend.text.StopStringMatcher;
import dev.tandem.frontend.workers.TokenChunk;
import dev.tandem.tokenizer.Tokenizer;
import dev.tandem.protocol.grpc.FinishReason;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Turns a request's token stream into text deltas: incremental detokenization that never splits a UTF-8
 * character, and stop strings applied on the text. A matched stop string ends the response and cancels the
 * tokens upstream, which stops the decode worker.
 */
public final class TextStream {

    private TextStream() {
    }

    public static Multi<TextDelta> of(Multi<TokenChunk> tokens, Tokenizer tokenizer, List<String> stop) {
        return of(tokens, tokenizer, stop, nanos -> {
        });
    }

    /** @param detokenizeNanos hears of the time spent turning each chunk into text (writing it excluded) */
    public static Multi<TextDelta> of(Multi<TokenChunk> tokens, Tokenizer tokenizer, List<String> stop,
            LongConsumer detokenizeNanos) {
        return Multi.createFrom().emitter(emitter -> {
            IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(tokenizer);
            StopStringMatcher stops = new StopStringMatcher(stop);
            AtomicReference<Cancellable> upstream = new AtomicReference<>();
            AtomicBoolean stopped = new AtomicBoolean();
            int[] generated = {0};
            // tokens not yet carried by a delta (their text may still be held back)
            List<TextDelta.Token> pending = new ArrayList<>();
            Cancellable subscription = tokens.subscribe().with(chunk -> {
                long startedAt = System.nanoTime();
                StringBuilder text = new StringBuilder();
                List<Integer> ids = chunk.tokenIds();
                for (int i = 0; i < ids.size(); i++) {
                    int token = ids.get(i);
                    generated[0]++;
                    if (!chunk.logprobs().isEmpty()) {
                        pending.add(new TextDelta.Token(token, i < chunk.logprobs().size() ? chunk.logprobs().get(i) : null));
                    }
                    StopStringMatcher.Result matched = stops.push(detokenizer.push(token));
                    text.append(matched.emit());
                    if (matched.stopped()) {
                        detokenizeNanos.accept(System.nanoTime() - startedAt);
                        emitter.emit(new TextDelta(text.toString(), "stop", generated[0], take(pending)));
                        emitter.complete();
                        stopped.set(true);
                        Cancellable running = upstream.get();
                        if (running != null) {
                            running.cancel();
                        }
                        return;
                    }
                }
                if (chunk.finished()) {
                    StopStringMatcher.Result tail = stops.push(detokenizer.flush());
                    text.append(tail.emit());
                    if (!tail.stopped()) {
                        text.append(stops.flush());
                    }
                    String reason = tail.stopped() || chunk.finishReason() == FinishReason.FINISH_REASON_STOP ? "stop" : "length";
                    detokenizeNanos.accept(System.nanoTime() - startedAt);
                    emitter.emit(new TextDelta(text.toString(), reason, generated[0], take(pending)));
                    emitter.complete();
                    return;
                }
                detokenizeNanos.accept(System.nanoTime() - startedAt);
                if (!text.isEmpty()) {
                    emitter.emit(new TextDelta(text.toString(), null, generated[0], take(pending)));
                }
            }, emitter::fail, () -> {
                if (!emitter.isCancelled()) {
                    emitter.complete();
                }
            });
            upstream.set(subscription);
            if (stopped.get()) { // matched while subscribing, before the subscription was known
                subscription.cancel();
            }
            // only a client that goes away cancels the tokens: a finished response lets them complete on their own
            emitter.onCancellation(subscription::cancel);
        });
    }

    private static List<TextDelta.Token> take(List<TextDelta.Token> pending) {
        List<TextDelta.Token> taken = List.copyOf(pending);
        pending.clear();
        return taken;
    }
}
