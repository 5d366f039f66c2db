package dev.tandem.frontend.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import dev.tandem.frontend.openai.OpenAiException;
import dev.tandem.frontend.workers.TokenChunk;
import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.protocol.grpc.SamplingParams;
import io.grpc.Status;

class MigrationTest {

    private static final SamplingParams SAMPLING = SamplingParams.newBuilder().setMaxTokens(10).setSeed(7).build();

    /** What the request's telemetry hears. */
    private static final class Heard implements RequestListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void migrating(int attempt, int generatedTokens, String reason) {
            events.add("migrating " + attempt + " after " + generatedTokens);
        }

        @Override
        public void migrationMaxSeqLenExceeded(int sequenceLength) {
            events.add("too long " + sequenceLength);
        }
    }

    private static TokenChunk tokens(Integer... ids) {
        return new TokenChunk(List.of(ids), FinishReason.FINISH_REASON_UNSPECIFIED, 0);
    }

    @Test
    void theNextAttemptGoesOnFromTheGeneratedTokensWithTheRestOfTheBudget() {
        Heard heard = new Heard();
        Migration migration = new Migration("r", new int[] {1, 2, 3}, SAMPLING, 3, OptionalInt.empty(), heard);
        assertArrayEquals(new int[] {1, 2, 3}, migration.prompt());
        assertSame(SAMPLING, migration.sampling());
        migration.received(tokens(10, 11));
        migration.received(tokens(12));

        assertTrue(migration.migrates(Status.UNAVAILABLE.withDescription("Network closed").asRuntimeException()));
        assertArrayEquals(new int[] {1, 2, 3, 10, 11, 12}, migration.prompt());
        assertEquals(7, migration.sampling().getMaxTokens());
        assertEquals(3, migration.sampling().getStepOffset());
        assertEquals(7, migration.sampling().getSeed());
        assertEquals(List.of("migrating 1 after 3"), heard.events);
    }

    @Test
    void aWorkerLostAfterTheLastTokenLeavesOnlyTheEndToSend() {
        Migration migration = new Migration("r", new int[] {1}, SAMPLING, 3, OptionalInt.empty(), new Heard());
        migration.received(tokens(1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertFalse(migration.budgetSpent());
        migration.received(tokens(10));
        assertTrue(migration.budgetSpent());
        assertFalse(new Migration("r", new int[] {1}, SamplingParams.getDefaultInstance(), 3, OptionalInt.empty(),
                new Heard()).budgetSpent());
    }

    @Test
    void aLostKvSourceMigratesButApiErrorsAndWorkerBugsDoNot() {
        Migration migration = new Migration("r", new int[] {1}, SAMPLING, 3, OptionalInt.empty(), new Heard());
        assertTrue(migration.migrates(Status.ABORTED.withDescription("KV source lost").asRuntimeException()));
        assertFalse(migration.migrates(Status.INTERNAL.asRuntimeException()));
        assertFalse(migration.migrates(Status.INVALID_ARGUMENT.asRuntimeException()));
        assertFalse(migration.migrates(OpenAiException.workerUnavailable("No decode worker reachable")));
    }

    @Test
    void theLimitBoundsMigrationsAndTheFinalErrorSaysWhy() {
        Migration migration = new Migration("r", new int[] {1}, SAMPLING, 1, OptionalInt.empty(), new Heard());
        migration.received(tokens(5));
        RuntimeException lost = Status.UNAVAILABLE.withDescription("Network closed").asRuntimeException();
        assertTrue(migration.migrates(lost));
        assertFalse(migration.migrates(lost));
        Throwable explained = migration.explain(lost);
        OpenAiException api = (OpenAiException) explained;
        assertEquals(503, api.status());
        assertTrue(api.workersLost());
        assertEquals("service_unavailable", api.code());
        assertTrue(api.getMessage().contains("after 1 generated tokens"), api.getMessage());
        assertTrue(api.getMessage().contains("its 1 migrations are used up"), api.getMessage());
    }

    @Test
    void aSequenceOverTheBoundIsNotMigratedAndCounted() {
        Heard heard = new Heard();
        Migration migration = new Migration("r", new int[] {1, 2}, SAMPLING, 3, OptionalInt.of(3), heard);
        migration.received(tokens(5, 6));
        assertFalse(migration.migrates(Status.UNAVAILABLE.asRuntimeException()));
        assertEquals(List.of("too long 4"), heard.events);
    }
}
