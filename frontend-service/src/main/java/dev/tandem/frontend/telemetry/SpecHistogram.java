package dev.tandem.frontend.telemetry;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Histogram;

/**
 * A request histogram with exactly the spec's buckets, first bucket {@code le="0"} included, which Micrometer
 * refuses (it takes only boundaries above 0). It lives in the Prometheus registry behind Micrometer, so it is
 * exported with everything else at {@code /metrics}.
 */
final class SpecHistogram {

    private final Histogram.Child child;

    private SpecHistogram(Histogram.Child child) {
        this.child = child;
    }

    /** A histogram {@code name} for one served model ({@code model} label) with the given upper bounds. */
    static SpecHistogram register(CollectorRegistry registry, String name, String help, double[] buckets, String model) {
        Histogram histogram = Histogram.build().name(name).help(help).labelNames("model").buckets(buckets)
                .register(registry);
        return new SpecHistogram(histogram.labels(model));
    }

    void record(double value) {
        child.observe(value);
    }

    /** Records a duration, in seconds. */
    void recordNanos(long nanos) {
        child.observe(nanos / 1e9);
    }
}
