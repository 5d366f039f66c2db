package dev.tandem.tools.benchserve;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The results of one run: vLLM's {@code bench serve} figures under its key names (so the same scripts read both),
 * as one JSON object and as a readable table. Latencies in milliseconds, throughputs per second of the run's
 * duration (first request sent to last one finished).
 */
final class BenchReport {

    static final double[] PERCENTILES = {50, 90, 99};
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> values = new LinkedHashMap<>();

    BenchReport(Map<String, Object> run, List<RequestResult> results, double durationSeconds, Slo slo) {
        values.put("date", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        values.putAll(run);
        List<RequestResult> ok = results.stream().filter(RequestResult::success).toList();
        long inputTokens = ok.stream().mapToLong(RequestResult::promptTokens).sum();
        long outputTokens = ok.stream().mapToLong(RequestResult::outputTokens).sum();
        values.put("duration", durationSeconds);
        values.put("completed", ok.size());
        values.put("failed", results.size() - ok.size());
        values.put("total_input_tokens", inputTokens);
        values.put("total_output_tokens", outputTokens);
        values.put("request_throughput", ok.size() / durationSeconds);
        if (!slo.isEmpty()) {
            values.put("request_goodput", ok.stream().filter(slo::met).count() / durationSeconds);
            values.put("goodput_slos_ms", slo.limitsMs());
        }
        values.put("output_throughput", outputTokens / durationSeconds);
        values.put("total_token_throughput", (inputTokens + outputTokens) / durationSeconds);
        List<Double> itls = new ArrayList<>();
        ok.forEach(r -> itls.addAll(r.interTokenLatencies()));
        metric("ttft", Stats.of(ok.stream().map(RequestResult::ttft).toList(), PERCENTILES));
        metric("tpot", Stats.of(ok.stream().map(RequestResult::tpot).toList(), PERCENTILES));
        metric("itl", Stats.of(itls, PERCENTILES));
        metric("e2el", Stats.of(ok.stream().map(RequestResult::e2el).toList(), PERCENTILES));
        List<String> errors = results.stream().filter(r -> !r.success()).map(RequestResult::error).distinct().limit(5).toList();
        if (!errors.isEmpty()) {
            values.put("errors", errors);
        }
    }

    private void metric(String name, Stats seconds) {
        values.put("mean_" + name + "_ms", seconds.mean() * 1000);
        values.put("median_" + name + "_ms", seconds.median() * 1000);
        values.put("std_" + name + "_ms", seconds.std() * 1000);
        for (double p : PERCENTILES) {
            values.put("p" + (int) p + "_" + name + "_ms", seconds.percentile(p) * 1000);
        }
    }

    Map<String, Object> values() {
        return values;
    }

    String json() {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%n%s%n", center(" Serving Benchmark Result ", '=')));
        row(out, "Endpoint:", values.get("endpoint"));
        row(out, "Model:", values.get("model_id"));
        row(out, "Dataset:", values.get("dataset"));
        row(out, "Max request concurrency:", values.get("max_concurrency") == null ? "unlimited" : values.get("max_concurrency"));
        row(out, "Request rate (req/s):", values.get("request_rate"));
        row(out, "Successful requests:", values.get("completed"));
        row(out, "Failed requests:", values.get("failed"));
        row(out, "Benchmark duration (s):", values.get("duration"));
        row(out, "Total input tokens:", values.get("total_input_tokens"));
        row(out, "Total generated tokens:", values.get("total_output_tokens"));
        row(out, "Request throughput (req/s):", values.get("request_throughput"));
        if (values.containsKey("request_goodput")) {
            row(out, "Request goodput (req/s):", values.get("request_goodput"));
        }
        row(out, "Output token throughput (tok/s):", values.get("output_throughput"));
        row(out, "Total token throughput (tok/s):", values.get("total_token_throughput"));
        section(out, "ttft", "Time to First Token");
        section(out, "tpot", "Time per Output Token (excl. 1st token)");
        section(out, "itl", "Inter-token Latency");
        section(out, "e2el", "End-to-end Latency");
        out.append("=".repeat(50)).append('\n');
        return out.toString();
    }

    private void section(StringBuilder out, String name, String title) {
        out.append(center(title, '-')).append('\n');
        String upper = name.toUpperCase();
        row(out, "Mean " + upper + " (ms):", values.get("mean_" + name + "_ms"));
        row(out, "Median " + upper + " (ms):", values.get("median_" + name + "_ms"));
        for (double p : PERCENTILES) {
            if (p != 50) {
                row(out, "P" + (int) p + " " + upper + " (ms):", values.get("p" + (int) p + "_" + name + "_ms"));
            }
        }
    }

    private static void row(StringBuilder out, String label, Object value) {
        String text = value instanceof Double d ? String.format("%.2f", d) : String.valueOf(value);
        out.append(String.format("%-40s%10s%n", label, text));
    }

    private static String center(String text, char fill) {
        int pad = Math.max(0, 50 - text.length());
        return String.valueOf(fill).repeat(pad / 2) + text + String.valueOf(fill).repeat(pad - pad / 2);
    }
}
