package dev.tandem.tools.benchserve;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Service-level objectives for goodput, as vLLM's {@code --goodput ttft:200 tpot:50}: a request counts as good when
 * each named metric (ttft, tpot, e2el; milliseconds) is at most its limit.
 */
record Slo(Map<String, Double> limitsMs) {

    static final List<String> METRICS = List.of("ttft", "tpot", "e2el");

    static Slo parse(List<String> specs) {
        Map<String, Double> limits = new LinkedHashMap<>();
        for (String spec : specs) {
            String[] parts = spec.split(":", 2);
            if (parts.length != 2 || !METRICS.contains(parts[0])) {
                throw new IllegalArgumentException("--goodput takes METRIC:MILLISECONDS with METRIC one of " + METRICS
                        + ", not '" + spec + "'");
            }
            double ms = Double.parseDouble(parts[1]);
            if (!(ms > 0)) {
                throw new IllegalArgumentException("--goodput limits must be positive: '" + spec + "'");
            }
            limits.put(parts[0], ms);
        }
        return new Slo(Map.copyOf(limits));
    }

    boolean isEmpty() {
        return limitsMs.isEmpty();
    }

    /** Whether a successful request meets every objective (a one-token request has no TPOT, which it meets). */
    boolean met(RequestResult result) {
        if (!result.success()) {
            return false;
        }
        for (var limit : limitsMs.entrySet()) {
            double seconds = switch (limit.getKey()) {
                case "ttft" -> result.ttft();
                case "tpot" -> result.tpot();
                case "e2el" -> result.e2el();
                default -> throw new IllegalStateException(limit.getKey());
            };
            if (!Double.isNaN(seconds) && seconds * 1000 > limit.getValue()) {
                return false;
            }
        }
        return true;
    }
}
