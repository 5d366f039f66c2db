package dev.tandem.worker.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.tandem.engine.sampling.SamplingParams;
import dev.tandem.worker.FinishRule;
import dev.tandem.protocol.grpc.FinishReason;

/** The wire's sampling parameters and finish reasons against the engine's. */
class ProtoMappingTest {

    private static dev.tandem.protocol.grpc.SamplingParams.Builder proto() {
        return dev.tandem.protocol.grpc.SamplingParams.newBuilder();
    }

    @Test
    void everyFieldIsCarriedOver() {
        SamplingParams sampling = ProtoMapping.sampling(proto().setTemperature(0.7f).setTopP(0.9f).setTopK(40)
                .setMinP(0.05f).setSeed(42).setMaxTokens(128).setIgnoreEos(true)
                .addAllStopTokenIds(List.of(2, 17)).build());

        assertEquals(0.7f, sampling.temperature());
        assertEquals(0.9f, sampling.topP());
        assertEquals(40, sampling.topK());
        assertEquals(0.05f, sampling.minP());
        assertEquals(42L, sampling.seed());
        assertEquals(128, sampling.maxTokens());
        assertTrue(sampling.ignoreEos());
        assertArrayEquals(new int[] {2, 17}, sampling.stopTokenIds());
        assertEquals(42L, ProtoMapping.seed(proto().setSeed(42).build()));
    }

    @Test
    void unsetFieldsMeanOff() {
        // proto3 sends 0 for an unset top_p, which would keep no tokens: 0 means "off", like 1.
        SamplingParams sampling = ProtoMapping.sampling(proto().build());

        assertEquals(0f, sampling.temperature(), "greedy");
        assertEquals(1f, sampling.topP());
        assertEquals(0, sampling.topK());
        assertEquals(0f, sampling.minP());
        assertNull(sampling.seed(), "no seed from the client");
        assertFalse(sampling.ignoreEos());
        assertArrayEquals(new int[0], sampling.stopTokenIds());
        assertEquals(sampling, SamplingParams.greedy(0));
    }

    @Test
    void aSeedOfZeroIsASeed() {
        // `optional` keeps an explicit 0 apart from an absent seed.
        assertEquals(0L, ProtoMapping.sampling(proto().setSeed(0).build()).seed());
        assertEquals(0L, ProtoMapping.seed(proto().setSeed(0).build()));
    }

    @Test
    void withoutASeedTheWorkerPicksAFreshOne() {
        Set<Long> seeds = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            seeds.add(ProtoMapping.seed(proto().build()));
        }
        assertTrue(seeds.size() > 1, "not one fixed seed for every unseeded request: " + seeds);
    }

    @Test
    void finishReasons() {
        assertEquals(FinishReason.FINISH_REASON_STOP, ProtoMapping.finishReason(FinishRule.Reason.STOP));
        assertEquals(FinishReason.FINISH_REASON_LENGTH, ProtoMapping.finishReason(FinishRule.Reason.LENGTH));
        assertEquals(2, FinishRule.Reason.values().length, "every engine reason is mapped above");
    }
}
