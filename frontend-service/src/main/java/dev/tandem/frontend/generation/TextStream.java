package dev.tandem.frontend.generation;

import java.util.List;
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
            // a stop string matched while the tokens are still being subscribed to (they came at once) cancels them
            // as soon as the subscription is known
            java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
            int[] generated = {0};
            Cancellable subscription = tokens.subscribe().with(chunk -> {
                long startedAt = System.nanoTime();
                StringBuilder text = new StringBuilder();
                for (int token : chunk.tokenIds()) {
                    generated[0]++;
                    StopStringMatcher.Result matched = stops.push(detokenizer.push(token));
                    text.append(matched.emit());
                    if (matched.stopped()) {
                        detokenizeNanos.accept(System.nanoTime() - startedAt);
                        emitter.emit(new TextDelta(text.toString(), "stop", generated[0]));
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
                    emitter.emit(new TextDelta(text.toString(), reason, generated[0]));
                    emitter.complete();
                    return;
                }
                detokenizeNanos.accept(System.nanoTime() - startedAt);
                if (!text.isEmpty()) {
                    emitter.emit(new TextDelta(text.toString(), null, generated[0]));
                }
            }, emitter::fail, () -> {
                if (!emitter.isCancelled()) {
                    emitter.complete();
                }
            });
            upstream.set(subscription);
            if (stopped.get()) {
                subscription.cancel();
            }
            // only a client that goes away cancels the tokens: a finished response lets them complete on their own
            emitter.onCancellation(subscription::cancel);
        });
    }
}
