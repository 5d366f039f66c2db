package dev.tandem.tools.benchserve;

import java.util.Arrays;
import java.util.Collection;

/** Summary statistics of a sample, as numpy computes them (linear interpolation between order statistics). */
record Stats(int count, double mean, double std, double median, double[] percentiles, double[] levels) {

    static Stats of(Collection<Double> values, double... levels) {
        double[] sorted = values.stream().filter(v -> !Double.isNaN(v)).mapToDouble(Double::doubleValue).sorted().toArray();
        double[] ps = new double[levels.length];
        if (sorted.length == 0) {
            Arrays.fill(ps, 0);
            return new Stats(0, 0, 0, 0, ps, levels.clone());
        }
        double mean = Arrays.stream(sorted).sum() / sorted.length;
        double variance = Arrays.stream(sorted).map(v -> (v - mean) * (v - mean)).sum() / sorted.length;
        for (int i = 0; i < levels.length; i++) {
            ps[i] = percentile(sorted, levels[i]);
        }
        return new Stats(sorted.length, mean, Math.sqrt(variance), percentile(sorted, 50), ps, levels.clone());
    }

    /** The {@code p}-th percentile (0..100) of sorted values, interpolated linearly ({@code numpy.percentile}). */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        double rank = p / 100 * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
    }

    double percentile(double level) {
        for (int i = 0; i < levels.length; i++) {
            if (levels[i] == level) {
                return percentiles[i];
            }
        }
        throw new IllegalArgumentException("percentile " + level + " was not computed");
    }
}
