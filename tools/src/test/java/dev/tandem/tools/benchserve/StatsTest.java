package dev.tandem.tools.benchserve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void percentilesInterpolateLikeNumpy() {
        // numpy.percentile([1, 2, 3, 4], [50, 90, 99]) = [2.5, 3.7, 3.97]
        Stats stats = Stats.of(List.of(4.0, 1.0, 3.0, 2.0), 50, 90, 99);
        assertEquals(2.5, stats.median(), 1e-12);
        assertEquals(3.7, stats.percentile(90), 1e-12);
        assertEquals(3.97, stats.percentile(99), 1e-12);
        assertEquals(2.5, stats.mean(), 1e-12);
        assertEquals(Math.sqrt(1.25), stats.std(), 1e-12); // population std, as numpy.std
    }

    @Test
    void oneValueIsEveryPercentileAndEmptyIsZero() {
        Stats one = Stats.of(List.of(7.0), 50, 99);
        assertEquals(7, one.median());
        assertEquals(7, one.percentile(99));
        Stats none = Stats.of(List.of(), 50, 99);
        assertEquals(0, none.count());
        assertEquals(0, none.percentile(99));
    }

    @Test
    void undefinedValuesAreLeftOut() {
        Stats stats = Stats.of(List.of(Double.NaN, 2.0, 4.0), 50);
        assertEquals(2, stats.count());
        assertEquals(3, stats.mean(), 1e-12);
    }

    @Test
    void tpotAndItlOfARequest() {
        RequestResult result = new RequestResult(true, null, 0, 0.1, 0.4, List.of(0.1, 0.2, 0.25, 0.4), 5, 4);
        assertEquals(0.1, result.tpot(), 1e-12); // (0.4 - 0.1) / 3
        List<Double> itl = result.interTokenLatencies();
        assertEquals(3, itl.size());
        assertEquals(0.05, itl.get(1), 1e-12);
        assertTrue(Double.isNaN(new RequestResult(true, null, 0, 0.1, 0.1, List.of(0.1), 5, 1).tpot()));
    }

    @Test
    void goodputCountsRequestsMeetingEveryObjective() {
        Slo slo = Slo.parse(List.of("ttft:200", "tpot:50"));
        RequestResult good = new RequestResult(true, null, 0, 0.150, 0.150 + 9 * 0.040, List.of(), 5, 10);
        RequestResult slowFirst = new RequestResult(true, null, 0, 0.250, 0.250 + 9 * 0.040, List.of(), 5, 10);
        RequestResult slowRest = new RequestResult(true, null, 0, 0.150, 0.150 + 9 * 0.060, List.of(), 5, 10);
        RequestResult oneToken = new RequestResult(true, null, 0, 0.150, 0.150, List.of(0.15), 5, 1);
        assertTrue(slo.met(good));
        assertFalse(slo.met(slowFirst));
        assertFalse(slo.met(slowRest));
        assertTrue(slo.met(oneToken));
        assertFalse(slo.met(RequestResult.failed(0, 0.01, "HTTP 503")));

        List<RequestResult> results = List.of(
                new RequestResult(true, null, 0, 0.15, 0.51, List.of(0.15, 0.51), 5, 10), good, slowFirst, slowRest);
        BenchReport report = new BenchReport(new java.util.LinkedHashMap<>(), results, 2.0, slo);
        assertEquals(1.0, (double) report.values().get("request_goodput"), 1e-12); // 2 good of 4, in 2 s
        assertEquals(2.0, (double) report.values().get("request_throughput"), 1e-12);
        assertEquals(20.0, (double) report.values().get("output_throughput"), 1e-12); // 40 tokens in 2 s
        assertEquals(4, report.values().get("completed"));
        assertEquals(0, report.values().get("failed"));
    }

    @Test
    void goodputSpecsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Slo.parse(List.of("latency:5")));
        assertThrows(IllegalArgumentException.class, () -> Slo.parse(List.of("ttft")));
        assertThrows(IllegalArgumentException.class, () -> Slo.parse(List.of("ttft:-1")));
    }
}
