package dev.tandem.frontend.observability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The observability stack under {@code docker/observability} as files, and the metric names the Tandem dashboard
 * queries. Shared by {@link ObservabilityStackTest} (static wiring) and the end-to-end check that Tandem exports
 * every one of those names.
 */
public final class ObservabilityStack {

    /**
     * The metric series Tandem exports for dashboards, as the spec names them (frontend on its HTTP port, workers on
     * their system port); the dashboard may query these and no others.
     */
    public static final Set<String> TANDEM_METRICS = Set.of(
            "dynamo_frontend_requests_total",
            "dynamo_frontend_inflight_requests",
            "dynamo_frontend_queued_requests",
            "dynamo_frontend_request_duration_seconds_bucket",
            "dynamo_frontend_time_to_first_token_seconds_bucket",
            "dynamo_frontend_inter_token_latency_seconds_bucket",
            "dynamo_frontend_input_sequence_tokens_bucket",
            "dynamo_frontend_input_sequence_tokens_sum",
            "dynamo_frontend_cached_tokens_sum",
            "dynamo_frontend_output_sequence_tokens_bucket",
            "dynamo_frontend_output_tokens_total",
            "dynamo_frontend_model_cancellation_total",
            "dynamo_frontend_worker_active_decode_blocks",
            "dynamo_frontend_worker_active_prefill_tokens",
            "dynamo_component_uptime_seconds",
            "dynamo_component_requests_total",
            "dynamo_component_inflight_requests",
            "dynamo_component_request_duration_seconds_bucket",
            "dynamo_component_errors_total",
            "dynamo_component_total_blocks",
            "dynamo_component_gpu_cache_usage_percent",
            "dynamo_component_kvstats_gpu_prefix_cache_hit_rate");

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A PromQL query of the dashboard: where it is, and its text. */
    public record Query(String where, String expr) {
    }

    private ObservabilityStack() {
    }

    /** The project root: {@code project.root.dir} under failsafe, else the module directory's parent. */
    public static Path projectDir() {
        String dir = System.getProperty("project.root.dir");
        return dir != null ? Path.of(dir) : Path.of("").toAbsolutePath().getParent();
    }

    public static Path dir() {
        return projectDir().resolve("docker/observability");
    }

    public static Path dashboardFile() {
        return dir().resolve("grafana/dashboards/tandem.json");
    }

    public static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    public static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    public static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The dashboard's Prometheus queries: every panel target whose datasource is not Loki (nested rows included),
     * and the Prometheus template variables' queries.
     */
    public static List<Query> prometheusQueries(JsonNode dashboard) {
        List<Query> queries = new ArrayList<>();
        collectPanels(dashboard.path("panels"), queries);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query") && isPrometheus(variable.path("datasource"))) {
                JsonNode query = variable.path("query");
                String expr = query.isObject() ? query.path("query").asText() : query.asText();
                queries.add(new Query("variable " + variable.path("name").asText(), expr));
            }
        }
        return queries;
    }

    private static void collectPanels(JsonNode panels, List<Query> queries) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                JsonNode datasource = target.has("datasource") ? target.path("datasource") : panel.path("datasource");
                if (isPrometheus(datasource)) {
                    queries.add(new Query("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                            target.path("expr").asText()));
                }
            }
            collectPanels(panel.path("panels"), queries);
        }
    }

    /** A datasource reference that is Prometheus: by type, or by the dashboard's datasource variable. */
    static boolean isPrometheus(JsonNode datasource) {
        String type = datasource.path("type").asText("");
        String uid = datasource.isTextual() ? datasource.asText() : datasource.path("uid").asText("");
        return type.equals("prometheus") || (type.isEmpty() && (uid.equals("${datasource}") || uid.equals("prometheus")));
    }

    /** Every metric name the dashboard's Prometheus queries read. */
    public static Set<String> dashboardMetricNames() {
        Set<String> names = new TreeSet<>();
        for (Query query : prometheusQueries(json(dashboardFile()))) {
            names.addAll(metricNames(query.expr()));
        }
        return names;
    }

    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** Not inside a word or number (1e9), nor a Grafana variable ($model). */
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "atan2", "inf", "nan", "Inf", "NaN");

    /**
     * The metric names a PromQL query selects: identifiers that are not functions, aggregations, keywords, or
     * labels (in matchers or grouping clauses). A Grafana {@code label_values(metric, label)} reads {@code metric}.
     */
    public static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher labelValues = LABEL_VALUES.matcher(expr);
        if (labelValues.find()) {
            names.add(labelValues.group(1));
            return names;
        }
        String bare = STRING.matcher(expr).replaceAll("\"\"");
        bare = bare.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        bare = GROUPING.matcher(bare).replaceAll(" ");
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            String name = identifier.group();
            boolean function = bare.substring(identifier.end()).matches("(?s)\\s*\\(.*");
            if (!function && !KEYWORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }
}
