package dev.tandem.frontend.telemetry;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Histogram;

/**
 * A frontend histogram with exactly the spec's buckets, first bucket {@code le="0"} included where the spec has
 * one, which Micrometer refuses (it takes only boundaries above 0). It lives in the Prometheus registry behind
 * Micrometer, so it is exported with everything else at {@code /metrics}.
 */
final class SpecHistogram {

    private final Histogram histogram;

    private SpecHistogram(Histogram histogram) {
        this.histogram = histogram;
    }

    /** A histogram {@code name} with the given upper bounds and label names. */
    static SpecHistogram register(CollectorRegistry registry, String name, String help, double[] buckets, String... labels) {
        return new SpecHistogram(Histogram.build().name(name).help(help).labelNames(labels).buckets(buckets).register(registry));
    }

    /** The series of these label values. */
    Series labels(String... values) {
        return new Series(histogram.labels(values));
    }

    /** One labelled series. */
    static final class Series {

        private final Histogram.Child child;

        private Series(Histogram.Child child) {
            this.child = child;
        }

        void record(double value) {
            child.observe(value);
        }

        /** Records a duration, in seconds. */
        void recordNanos(long nanos) {
            child.observe(nanos / 1e9);
        }
    }
}
