package dev.tandem.frontend.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tandem.frontend.telemetry.HistogramBuckets;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Dynamo's bucket variables reach the histograms through the {@code dyn} mapping, under both spellings. */
class HistogramConfigTest {

    private static HistogramConfig fromEnvironment(Map<String, String> env) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(env, 300))
                .withMapping(HistogramConfig.class)
                .build();
        return config.getConfigMapping(HistogramConfig.class);
    }

    @Test
    void documentedAndCodeSpellingsAreRead() {
        HistogramConfig config = fromEnvironment(Map.of(
                "DYN_METRICS_ITL_MIN", "1", "DYN_METRICS_ITL_MAX", "256", "DYN_METRICS_ITL_COUNT", "10",
                "DYN_HISTOGRAM_DYN_METRICS_REQUEST_DURATION_MAX", "256", "DYN_METRICS_REQUEST_DURATION_MAX", "1000"));
        double[] expected = {0, 1.9, 3.4, 6.3, 12, 22, 40, 75, 140, 260};
        assertArrayEquals(expected, HistogramBuckets.resolve(HistogramBuckets.ITL, HistogramBuckets.overrides(config)));
        assertArrayEquals(expected,
                HistogramBuckets.resolve(HistogramBuckets.REQUEST_DURATION, HistogramBuckets.overrides(config)));
    }

    @Test
    void nothingSetGivesTheDefaults() {
        HistogramConfig config = fromEnvironment(Map.of());
        assertArrayEquals(HistogramBuckets.resolve(HistogramBuckets.TTFT, name -> null),
                HistogramBuckets.resolve(HistogramBuckets.TTFT, HistogramBuckets.overrides(config)));
    }
}
