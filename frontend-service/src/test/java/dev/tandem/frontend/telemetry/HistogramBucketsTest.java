package dev.tandem.frontend.telemetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The spec's §3.4 tables, verbatim. */
class HistogramBucketsTest {

    private static double[] defaults(HistogramBuckets.Spec spec) {
        return HistogramBuckets.resolve(spec, name -> null);
    }

    @Test
    void requestDuration() {
        assertArrayEquals(new double[] {0, 2, 4, 8, 16, 32, 64, 130, 260, 510}, defaults(HistogramBuckets.REQUEST_DURATION));
    }

    @Test
    void olderRequestDurationWithMax256() {
        assertArrayEquals(new double[] {0, 1.9, 3.4, 6.3, 12, 22, 40, 75, 140, 260}, HistogramBuckets.logBuckets(1, 256, 10));
    }

    @Test
    void inputSequenceAndCachedTokens() {
        assertArrayEquals(new double[] {0, 100, 210, 430, 870, 1800, 3600, 7400, 15000, 31000, 63000, 130000},
                defaults(HistogramBuckets.INPUT_SEQUENCE));
    }

    @Test
    void outputSequenceTokens() {
        assertArrayEquals(new double[] {0, 100, 210, 430, 880, 1800, 3700, 7600, 16000, 32000},
                defaults(HistogramBuckets.OUTPUT_SEQUENCE));
    }

    @Test
    void timeToFirstToken() {
        assertArrayEquals(new double[] {0, 0.0022, 0.0047, 0.01, 0.022, 0.047, 0.1, 0.22, 0.47, 1, 2.2, 4.7, 10, 22, 48,
                100, 220, 480}, defaults(HistogramBuckets.TTFT));
    }

    @Test
    void interTokenLatency() {
        assertArrayEquals(new double[] {0, 0.0019, 0.0035, 0.0067, 0.013, 0.024, 0.045, 0.084, 0.16, 0.3, 0.56, 1.1, 2},
                defaults(HistogramBuckets.ITL));
    }

    @Test
    void routerKvTransferLatency() {
        assertArrayEquals(new double[] {0, 0.0019, 0.0037, 0.0072, 0.014, 0.027, 0.052, 0.1, 0.19, 0.37, 0.72, 1.4, 2.7,
                5.2, 10}, HistogramBuckets.logBuckets(0.001, 10, 15));
    }

    @Test
    void consecutiveDuplicatesAreRemoved() {
        assertArrayEquals(new double[] {0, 1, 1.1, 1.2}, HistogramBuckets.logBuckets(1, 1.2, 6));
    }

    @Test
    void theCodesSpellingOverrides() {
        Map<String, String> env = Map.of("DYN_HISTOGRAM_DYN_METRICS_TTFT_MIN", "1", "DYN_HISTOGRAM_DYN_METRICS_TTFT_MAX", "512",
                "DYN_HISTOGRAM_DYN_METRICS_TTFT_COUNT", "10");
        assertArrayEquals(new double[] {0, 2, 4, 8, 16, 32, 64, 130, 260, 510},
                HistogramBuckets.resolve(HistogramBuckets.TTFT, env::get));
    }

    @Test
    void theDocumentedSpellingOverridesToo() {
        Map<String, String> env = Map.of("DYN_METRICS_ITL_MAX", "256", "DYN_METRICS_ITL_MIN", "1", "DYN_METRICS_ITL_COUNT", "10");
        assertArrayEquals(new double[] {0, 1.9, 3.4, 6.3, 12, 22, 40, 75, 140, 260},
                HistogramBuckets.resolve(HistogramBuckets.ITL, env::get));
    }

    @Test
    void theCodesSpellingWinsOverTheDocumentedOne() {
        Map<String, String> env = Map.of("DYN_HISTOGRAM_DYN_METRICS_REQUEST_DURATION_MAX", "256",
                "DYN_METRICS_REQUEST_DURATION_MAX", "1000");
        assertArrayEquals(new double[] {0, 1.9, 3.4, 6.3, 12, 22, 40, 75, 140, 260},
                HistogramBuckets.resolve(HistogramBuckets.REQUEST_DURATION, env::get));
    }

    @Test
    void anInvalidConfigurationFallsBackToTheDefaults() {
        double[] expected = defaults(HistogramBuckets.OUTPUT_SEQUENCE);
        for (Map<String, String> env : java.util.List.of(Map.of("DYN_METRICS_OUTPUT_SEQUENCE_MIN", "0"),
                Map.of("DYN_METRICS_OUTPUT_SEQUENCE_MIN", "100", "DYN_METRICS_OUTPUT_SEQUENCE_MAX", "50"),
                Map.of("DYN_METRICS_OUTPUT_SEQUENCE_COUNT", "513"), Map.of("DYN_METRICS_OUTPUT_SEQUENCE_COUNT", "0"),
                Map.of("DYN_METRICS_OUTPUT_SEQUENCE_MAX", "lots"), Map.of("DYN_METRICS_OUTPUT_SEQUENCE_MAX", "Infinity"))) {
            assertArrayEquals(expected, HistogramBuckets.resolve(HistogramBuckets.OUTPUT_SEQUENCE, env::get), env.toString());
        }
    }
}
