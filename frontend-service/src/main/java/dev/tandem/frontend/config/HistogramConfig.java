package dev.tandem.frontend.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/**
 * Dynamo's overrides of the frontend histograms' buckets (the spec's §3.4), under both spellings Dynamo accepts:
 * {@code DYN_METRICS_<NAME>_{MIN,MAX,COUNT}} (its documentation's) and {@code DYN_HISTOGRAM_DYN_METRICS_<NAME>_…}
 * (its code's, which wins). Values stay text: an invalid one falls back to the defaults with a warning.
 */
@ConfigMapping(prefix = "dyn")
public interface HistogramConfig {

    /** {@code DYN_METRICS_*}. */
    Histograms metrics();

    /** {@code DYN_HISTOGRAM_DYN_METRICS_*}. */
    Prefixed histogram();

    interface Prefixed {
        Dyn dyn();

        interface Dyn {
            Histograms metrics();
        }
    }

    interface Histograms {
        Bounds requestDuration();

        Bounds inputSequence();

        Bounds outputSequence();

        Bounds ttft();

        Bounds itl();
    }

    interface Bounds {
        Optional<String> min();

        Optional<String> max();

        Optional<String> count();
    }
}
