package dev.tandem.frontend.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import dev.tandem.frontend.workers.TokenChunk;
import dev.tandem.model.SyntheticModel;
import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.tokenizer.Tokenizer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;

class TextStreamTest {

    private static final Tokenizer TOKENIZER = SyntheticModel.tokenizer();

    private static TokenChunk chunk(String text, FinishReason reason) {
        int[] ids = TOKENIZER.encode(text, false, false);
        return new TokenChunk(Arrays.stream(ids).boxed().toList(), reason, 0);
    }

    private static List<TextDelta> run(Multi<TokenChunk> tokens, List<String> stop) {
        return TextStream.of(tokens, TOKENIZER, stop).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE))
                .awaitCompletion(Duration.ofSeconds(5)).getItems();
    }

    @Test
    void chunksBecomeTextAndTheLastCarriesTheFinishReason() {
        List<TextDelta> deltas = run(Multi.createFrom().items(chunk("Hello", FinishReason.FINISH_REASON_UNSPECIFIED),
                chunk(" wörld", FinishReason.FINISH_REASON_LENGTH)), List.of());
        assertEquals("Hello wörld", deltas.stream().map(TextDelta::text).reduce("", String::concat));
        assertEquals("length", deltas.getLast().finishReason());
        assertEquals(11, deltas.getLast().completionTokens() - 1); // 'ö' is two byte tokens
    }

    @Test
    void aStopStringEndsTheTextAndCancelsTheTokens() {
        AtomicBoolean upstreamCancelled = new AtomicBoolean();
        Multi<TokenChunk> endless = Multi.createFrom().items(chunk("one, two", FinishReason.FINISH_REASON_UNSPECIFIED),
                chunk(" STOP three", FinishReason.FINISH_REASON_UNSPECIFIED))
                .onCompletion().switchTo(Multi.createFrom().nothing())
                .onCancellation().invoke(() -> upstreamCancelled.set(true));
        List<TextDelta> deltas = run(endless, List.of("STOP"));
        assertEquals("one, two ", deltas.stream().map(TextDelta::text).reduce("", String::concat));
        assertEquals("stop", deltas.getLast().finishReason());
        assertTrue(upstreamCancelled.get());
    }

    @Test
    void aStopFinishFromTheWorkerIsStop() {
        List<TextDelta> deltas = run(Multi.createFrom().item(chunk("end", FinishReason.FINISH_REASON_STOP)), List.of());
        assertEquals("stop", deltas.getLast().finishReason());
        assertEquals("end", deltas.getLast().text());
    }
}
