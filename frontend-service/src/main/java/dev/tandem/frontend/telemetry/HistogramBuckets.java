package dev.tandem.frontend.telemetry;

import dev.tandem.frontend.config.HistogramConfig;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jboss.logging.Logger;

/**
 * Dynamo's frontend histogram buckets (the spec's §3.4): {@code generate_log_buckets(min, max, count)} and the
 * environment variables that override a histogram's {@code (min, max, count)}.
 */
public final class HistogramBuckets {

    private static final Logger LOG = Logger.getLogger(HistogramBuckets.class);

    /** A histogram's defaults, the prefix of its override variables, and where its overrides are configured. */
    public record Spec(String envPrefix, double min, double max, int count,
            Function<HistogramConfig.Histograms, HistogramConfig.Bounds> overrides) {
    }

    public static final Spec REQUEST_DURATION = new Spec("DYN_METRICS_REQUEST_DURATION", 1, 512, 10,
            HistogramConfig.Histograms::requestDuration);
    public static final Spec INPUT_SEQUENCE = new Spec("DYN_METRICS_INPUT_SEQUENCE", 50, 128000, 12,
            HistogramConfig.Histograms::inputSequence);
    public static final Spec OUTPUT_SEQUENCE = new Spec("DYN_METRICS_OUTPUT_SEQUENCE", 50, 32000, 10,
            HistogramConfig.Histograms::outputSequence);
    public static final Spec TTFT = new Spec("DYN_METRICS_TTFT", 0.001, 480, 18, HistogramConfig.Histograms::ttft);
    public static final Spec ITL = new Spec("DYN_METRICS_ITL", 0.001, 2, 13, HistogramConfig.Histograms::itl);

    private static final List<Spec> ALL = List.of(REQUEST_DURATION, INPUT_SEQUENCE, OUTPUT_SEQUENCE, TTFT, ITL);

    private HistogramBuckets() {
    }

    /**
     * {@code 0}, then {@code exp(ln(min) + (ln(max) - ln(min)) * i / (count - 1))} for {@code i = 1..count-1}, each
     * rounded to two significant figures (half away from zero), consecutive duplicates removed.
     */
    public static double[] logBuckets(double min, double max, int count) {
        List<Double> buckets = new ArrayList<>(count);
        buckets.add(0.0);
        double lnMin = Math.log(min);
        double lnMax = Math.log(max);
        for (int i = 1; i < count; i++) {
            double value = roundTwoSignificant(Math.exp(lnMin + (lnMax - lnMin) * i / (count - 1)));
            if (buckets.getLast() != value) {
                buckets.add(value);
            }
        }
        return buckets.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double roundTwoSignificant(double value) {
        if (value == 0 || !Double.isFinite(value)) {
            return value;
        }
        return new BigDecimal(value).round(new MathContext(2, RoundingMode.HALF_UP)).doubleValue();
    }

    /** The configured overrides by the names of their environment variables. */
    public static Function<String, String> overrides(HistogramConfig config) {
        Map<String, String> byName = new HashMap<>();
        for (Spec spec : ALL) {
            put(byName, spec.envPrefix(), spec.overrides().apply(config.metrics()));
            put(byName, "DYN_HISTOGRAM_" + spec.envPrefix(), spec.overrides().apply(config.histogram().dyn().metrics()));
        }
        return byName::get;
    }

    private static void put(Map<String, String> byName, String prefix, HistogramConfig.Bounds bounds) {
        bounds.min().ifPresent(value -> byName.put(prefix + "_MIN", value));
        bounds.max().ifPresent(value -> byName.put(prefix + "_MAX", value));
        bounds.count().ifPresent(value -> byName.put(prefix + "_COUNT", value));
    }

    /**
     * Each of {@code _MIN}, {@code _MAX}, {@code _COUNT} is read from {@code DYN_HISTOGRAM_<prefix>_…} (the name
     * Dynamo's code reads) or else {@code <prefix>_…} (the name its comments document); an invalid configuration
     * ({@code min <= 0}, {@code min >= max}, not finite, count outside 1..512, unparsable) falls back to the defaults
     * with a warning.
     */
    public static double[] resolve(Spec spec, Function<String, String> env) {
        String min = lookup(env, spec.envPrefix() + "_MIN");
        String max = lookup(env, spec.envPrefix() + "_MAX");
        String count = lookup(env, spec.envPrefix() + "_COUNT");
        if (min == null && max == null && count == null) {
            return logBuckets(spec.min(), spec.max(), spec.count());
        }
        try {
            double lo = min != null ? Double.parseDouble(min.strip()) : spec.min();
            double hi = max != null ? Double.parseDouble(max.strip()) : spec.max();
            int n = count != null ? Integer.parseInt(count.strip()) : spec.count();
            if (!(lo > 0) || !(lo < hi) || !Double.isFinite(lo) || !Double.isFinite(hi) || n < 1 || n > 512) {
                throw new IllegalArgumentException("need 0 < min < max, finite, and 1 <= count <= 512");
            }
            return logBuckets(lo, hi, n);
        } catch (IllegalArgumentException e) {
            LOG.warnf("Invalid histogram configuration %s (min=%s, max=%s, count=%s): %s; using the defaults (%s, %s, %d)",
                    spec.envPrefix(), min, max, count, e.getMessage(), spec.min(), spec.max(), spec.count());
            return logBuckets(spec.min(), spec.max(), spec.count());
        }
    }

    private static String lookup(Function<String, String> env, String name) {
        String value = env.apply("DYN_HISTOGRAM_" + name);
        if (value == null || value.isBlank()) {
            value = env.apply(name);
        }
        return value == null || value.isBlank() ? null : value;
    }
}
