package dev.tandem.frontend.observability;

import static dev.tandem.frontend.observability.ObservabilityStack.TANDEM_METRICS;
import static dev.tandem.frontend.observability.ObservabilityStack.dir;
import static dev.tandem.frontend.observability.ObservabilityStack.json;
import static dev.tandem.frontend.observability.ObservabilityStack.metricNames;
import static dev.tandem.frontend.observability.ObservabilityStack.projectDir;
import static dev.tandem.frontend.observability.ObservabilityStack.text;
import static dev.tandem.frontend.observability.ObservabilityStack.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The observability stack of docker/observability, checked without Docker: every file parses, and the pieces are
 * wired to each other (compose service names and ports, the collector's pipelines, Grafana's datasources and their
 * links, the dashboard's queries against the metric names Tandem exports).
 */
class ObservabilityStackTest {

    private static final Path COMPOSE = dir().resolve("docker-compose.yml");
    private static final Path DATASOURCES = dir().resolve("grafana/provisioning/datasources");

    private static JsonNode compose() {
        return yaml(COMPOSE);
    }

    private static JsonNode service(String name) {
        JsonNode service = compose().path("services").path(name);
        assertTrue(service.isObject(), "compose service " + name + " is missing");
        return service;
    }

    /** A bind mount of a compose service: host path (resolved against the compose file) and container path. */
    private record Mount(Path host, String container) {
    }

    private static List<Mount> bindMounts(JsonNode service) {
        List<Mount> mounts = new ArrayList<>();
        for (JsonNode volume : service.path("volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts[0].startsWith(".") || parts[0].startsWith("/")) {
                mounts.add(new Mount(COMPOSE.getParent().resolve(parts[0]).normalize(), parts[1]));
            }
        }
        return mounts;
    }

    /** The host file or directory a container path of the service comes from. */
    private static Path hostPath(JsonNode service, String containerPath) {
        for (Mount mount : bindMounts(service)) {
            if (containerPath.equals(mount.container())) {
                return mount.host();
            }
            if (containerPath.startsWith(mount.container() + "/")) {
                return mount.host().resolve(containerPath.substring(mount.container().length() + 1));
            }
        }
        throw new AssertionError(containerPath + " is not mounted from the host in " + service);
    }

    /** The config file a service's command names (--config.file=…, -config.file=…, --config=…), as a host file. */
    private static Path configFile(String serviceName) {
        JsonNode service = service(serviceName);
        for (JsonNode arg : service.path("command")) {
            Matcher m = Pattern.compile("^--?config(?:\\.file)?=(.+)$").matcher(arg.asText());
            if (m.matches()) {
                Path file = hostPath(service, m.group(1));
                assertTrue(Files.isRegularFile(file), serviceName + ": " + file + " is missing");
                return file;
            }
        }
        throw new AssertionError(serviceName + " names no config file in its command");
    }

    private static Set<String> publishedPorts(String serviceName) {
        Set<String> ports = new HashSet<>();
        service(serviceName).path("ports").forEach(port -> ports.add(port.asText()));
        return ports;
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    /** Grafana's provisioned datasources by uid, from every file of the datasources folder. */
    private static Map<String, JsonNode> datasources() {
        Map<String, JsonNode> byUid = new HashMap<>();
        for (Path file : files(DATASOURCES, ".yml")) {
            JsonNode provisioning = yaml(file);
            assertEquals(1, provisioning.path("apiVersion").asInt(), file.toString());
            for (JsonNode datasource : provisioning.path("datasources")) {
                assertTrue(byUid.put(datasource.path("uid").asText(), datasource) == null,
                        "two datasources with uid " + datasource.path("uid"));
            }
        }
        return byUid;
    }

    private static List<Path> files(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A value as Grafana's provisioning sees it: "$$" is a literal "$". */
    private static String provisioned(String value) {
        return value.replace("$$", "$");
    }

    @Test
    void composeRunsTheFiveServicesOnPinnedImages() {
        JsonNode services = compose().path("services");
        for (String name : List.of("prometheus", "tempo", "loki", "otel-collector", "grafana")) {
            assertTrue(services.has(name), "compose service " + name + " is missing");
        }
        services.properties().forEach(entry -> {
            String image = entry.getValue().path("image").asText();
            assertTrue(image.matches("[^:]+:[^:]+"), entry.getKey() + ": image " + image + " has no tag");
            assertFalse(image.endsWith(":latest"), entry.getKey() + ": image " + image + " is not pinned");
            for (Mount mount : bindMounts(entry.getValue())) {
                assertTrue(Files.exists(mount.host()), entry.getKey() + " mounts " + mount.host() + ", which is missing");
            }
        });
        assertTrue(publishedPorts("grafana").contains("3000:3000"), "Grafana on port 3000");
        assertTrue(publishedPorts("prometheus").contains("9090:9090"), "Prometheus on port 9090");
        assertTrue(publishedPorts("otel-collector").containsAll(Set.of("4317:4317", "4318:4318")),
                "the collector is the host's OTLP ingress on 4317 and 4318");
    }

    @Test
    void prometheusScrapesTheFrontendAndWorkersOnTheHost() {
        JsonNode prometheus = service("prometheus");
        Set<String> extraHosts = new HashSet<>();
        prometheus.path("extra_hosts").forEach(h -> extraHosts.add(h.asText()));
        assertTrue(extraHosts.contains("host.docker.internal:host-gateway"), "host.docker.internal is the host");

        JsonNode config = yaml(configFile("prometheus"));
        Map<String, Set<String>> targets = new HashMap<>();
        for (JsonNode job : config.path("scrape_configs")) {
            String path = job.path("metrics_path").asText("/metrics");
            assertEquals("/metrics", path, job.path("job_name") + " scrapes Tandem's /metrics");
            Set<String> jobTargets = new TreeSet<>();
            job.path("static_configs").forEach(sc -> sc.path("targets").forEach(t -> jobTargets.add(t.asText())));
            targets.put(job.path("job_name").asText(), jobTargets);
        }
        // the launcher's defaults: frontend on DYN_HTTP_PORT, prefill then decode worker on DYN_SYSTEM_PORT and up
        int httpPort = defaultPort("frontend-service", "DYN_HTTP_PORT");
        int systemPort = defaultPort("prefill-service", "DYN_SYSTEM_PORT");
        assertEquals(systemPort, defaultPort("decode-service", "DYN_SYSTEM_PORT"));
        assertTrue(text(projectDir().resolve("scripts/launch.sh")).contains("http_port=${DYN_HTTP_PORT:-" + httpPort + "}"));
        assertTrue(text(projectDir().resolve("scripts/launch.sh")).contains("next_system_port=${DYN_SYSTEM_PORT:-" + systemPort + "}"));
        assertEquals(Set.of("host.docker.internal:" + httpPort), targets.get("dynamo-frontend"));
        assertEquals(Set.of("host.docker.internal:" + systemPort, "host.docker.internal:" + (systemPort + 1)),
                targets.get("dynamo-worker"));
    }

    /** The default of {@code ${VARIABLE:port}} in a service's application.properties. */
    private static int defaultPort(String module, String variable) {
        String properties = text(projectDir().resolve(module + "/src/main/resources/application.properties"));
        Matcher m = Pattern.compile("quarkus\\.http\\.port=\\$\\{" + variable + ":(\\d+)}").matcher(properties);
        assertTrue(m.find(), module + " serves HTTP on " + variable);
        return Integer.parseInt(m.group(1));
    }

    @Test
    void collectorReceivesOtlpAndRoutesTracesToTempoAndLogsToLoki() {
        JsonNode config = yaml(configFile("otel-collector"));
        JsonNode otlp = config.path("receivers").path("otlp").path("protocols");
        assertEquals(4317, port(otlp.path("grpc").path("endpoint").asText()));
        assertEquals(4318, port(otlp.path("http").path("endpoint").asText()));
        assertTrue(otlp.path("grpc").path("endpoint").asText().startsWith("0.0.0.0:"), "reachable through the published port");

        JsonNode pipelines = config.path("service").path("pipelines");
        assertEquals(Set.of("traces", "logs"), fieldNames(pipelines));
        for (var pipeline : pipelines.properties()) {
            for (String kind : List.of("receivers", "processors", "exporters")) {
                for (JsonNode component : pipeline.getValue().path(kind)) {
                    assertTrue(config.path(kind).has(component.asText()),
                            pipeline.getKey() + " uses " + kind + " " + component + ", which is not defined");
                }
            }
            assertEquals(List.of("otlp"), strings(pipeline.getValue().path("receivers")));
        }

        // traces: OTLP/gRPC to Tempo's OTLP receiver
        List<String> traceExporters = strings(pipelines.path("traces").path("exporters"));
        assertEquals(1, traceExporters.size());
        JsonNode tempoExporter = config.path("exporters").path(traceExporters.getFirst());
        assertTrue(traceExporters.getFirst().matches("otlp(/.*)?"), "traces leave over OTLP/gRPC");
        JsonNode tempo = yaml(configFile("tempo"));
        String tempoGrpc = tempo.path("distributor").path("receivers").path("otlp").path("protocols").path("grpc")
                .path("endpoint").asText();
        assertEquals("tempo:" + port(tempoGrpc), tempoExporter.path("endpoint").asText());
        assertTrue(tempoExporter.path("tls").path("insecure").asBoolean(), "Tempo's receiver is plaintext");

        // logs: OTLP/HTTP to Loki's native OTLP endpoint
        List<String> logExporters = strings(pipelines.path("logs").path("exporters"));
        assertEquals(1, logExporters.size());
        assertTrue(logExporters.getFirst().matches("otlphttp(/.*)?"), "Loki takes OTLP over HTTP");
        int lokiPort = yaml(configFile("loki")).path("server").path("http_listen_port").asInt();
        assertEquals("http://loki:" + lokiPort + "/otlp", config.path("exporters").path(logExporters.getFirst())
                .path("endpoint").asText());

        List<String> dependsOn = strings(service("otel-collector").path("depends_on"));
        assertTrue(dependsOn.containsAll(List.of("tempo", "loki")), "the collector starts after its backends");
    }

    @Test
    void tempoAndLokiConfigs() {
        JsonNode tempo = yaml(configFile("tempo"));
        assertEquals(3200, tempo.path("server").path("http_listen_port").asInt());
        assertTrue(publishedPorts("tempo").contains("3200:3200"));
        assertEquals("local", tempo.path("storage").path("trace").path("backend").asText());
        assertEquals("1h", tempo.path("compactor").path("compaction").path("block_retention").asText());

        JsonNode loki = yaml(configFile("loki"));
        assertEquals(3100, loki.path("server").path("http_listen_port").asInt());
        assertTrue(publishedPorts("loki").contains("3100:3100"));
        assertFalse(loki.path("auth_enabled").asBoolean(true), "no auth");
        assertTrue(loki.path("limits_config").path("allow_structured_metadata").asBoolean(),
                "OTLP attributes such as trace_id are kept as structured metadata");
        JsonNode schema = loki.path("schema_config").path("configs").path(0);
        assertEquals("tsdb", schema.path("store").asText());
        assertEquals("v13", schema.path("schema").asText());
    }

    @Test
    void grafanaDatasourcesPointAtTheComposeServices() {
        JsonNode grafana = service("grafana");
        assertEquals(DATASOURCES, hostPath(grafana, "/etc/grafana/provisioning/datasources"));
        Map<String, JsonNode> datasources = datasources();
        assertEquals(Set.of("prometheus", "tempo", "loki"), datasources.keySet());
        Map<String, Integer> servicePorts = Map.of(
                "prometheus", 9090,
                "tempo", yaml(configFile("tempo")).path("server").path("http_listen_port").asInt(),
                "loki", yaml(configFile("loki")).path("server").path("http_listen_port").asInt());
        int defaults = 0;
        for (var entry : datasources.entrySet()) {
            JsonNode datasource = entry.getValue();
            assertEquals(entry.getKey(), datasource.path("type").asText(), "datasource type");
            URI url = URI.create(datasource.path("url").asText());
            assertTrue(compose().path("services").has(url.getHost()), url + " is no compose service");
            assertEquals(servicePorts.get(entry.getKey()).intValue(), url.getPort(), url.toString());
            assertEquals("proxy", datasource.path("access").asText(), "Grafana's server reaches " + url);
            defaults += datasource.path("isDefault").asBoolean() ? 1 : 0;
        }
        assertEquals(1, defaults, "one default datasource");
        assertTrue(datasources.get("prometheus").path("isDefault").asBoolean());
        assertTrue(strings(grafana.path("depends_on")).containsAll(List.of("prometheus", "tempo", "loki")));
    }

    @Test
    void datasourceFilesExpandNoEnvironmentVariablesByAccident() {
        // Grafana expands $VAR and ${VAR} in provisioning files; Grafana's own ${__…} macros must be written $${…}
        for (Path file : files(DATASOURCES, ".yml")) {
            for (String line : text(file).split("\n")) {
                String unescaped = line.strip().startsWith("#") ? "" : line.replace("$$", "");
                assertFalse(unescaped.contains("$"), file + ": '" + line + "' has a '$' that Grafana would read as"
                        + " an environment variable");
            }
        }
    }

    @Test
    void lokiTraceIdOpensTheTraceInTempo() {
        Map<String, JsonNode> datasources = datasources();
        JsonNode derived = null;
        for (JsonNode field : datasources.get("loki").path("jsonData").path("derivedFields")) {
            if (field.path("matcherType").asText().equals("label") && field.path("matcherRegex").asText().equals("trace_id")) {
                derived = field;
            }
        }
        assertTrue(derived != null, "a derived field on the trace_id label (OTLP structured metadata)");
        assertEquals("tempo", derived.path("datasourceUid").asText());
        assertTrue(datasources.containsKey(derived.path("datasourceUid").asText()));
        assertEquals("${__value.raw}", provisioned(derived.path("url").asText()));
        for (JsonNode field : datasources.get("loki").path("jsonData").path("derivedFields")) {
            assertTrue(datasources.containsKey(field.path("datasourceUid").asText()), field.toString());
            if (field.path("matcherType").asText().equals("regex")) {
                Matcher m = Pattern.compile(field.path("matcherRegex").asText())
                        .matcher("{\"time\":\"…\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\"}");
                assertTrue(m.find(), "the JSONL matcher finds a JSONL line's trace_id");
                assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", m.group(1));
            }
        }
    }

    @Test
    void tempoSpansLinkToLogsAndMetrics() {
        Map<String, JsonNode> datasources = datasources();
        JsonNode jsonData = datasources.get("tempo").path("jsonData");
        JsonNode toLogs = jsonData.path("tracesToLogsV2");
        assertEquals("loki", toLogs.path("datasourceUid").asText());
        String logQuery = provisioned(toLogs.path("query").asText());
        assertTrue(logQuery.contains("trace_id") && logQuery.contains("${__trace.traceId}"), logQuery);
        JsonNode toMetrics = jsonData.path("tracesToMetrics");
        assertEquals("prometheus", toMetrics.path("datasourceUid").asText());
        assertFalse(toMetrics.path("queries").isEmpty());
        for (JsonNode query : toMetrics.path("queries")) {
            Set<String> names = metricNames(provisioned(query.path("query").asText()));
            assertFalse(names.isEmpty(), query.toString());
            assertTrue(TANDEM_METRICS.containsAll(names), "Tempo's metrics link queries " + names);
        }
    }

    @Test
    void grafanaLoadsTheTandemDashboardFromItsFolder() {
        JsonNode grafana = service("grafana");
        Path providersDir = hostPath(grafana, "/etc/grafana/provisioning/dashboards");
        List<Path> providerFiles = files(providersDir, ".yml");
        assertEquals(1, providerFiles.size());
        JsonNode provider = yaml(providerFiles.getFirst()).path("providers").path(0);
        assertEquals("file", provider.path("type").asText());
        Path dashboards = hostPath(grafana, provider.path("options").path("path").asText());
        assertEquals(ObservabilityStack.dashboardFile().getParent(), dashboards);
        assertEquals(List.of(ObservabilityStack.dashboardFile()), files(dashboards, ".json"));
    }

    @Test
    void dashboardQueriesOnlyTheMetricsTandemExportsAndAllOfThem() {
        JsonNode dashboard = json(ObservabilityStack.dashboardFile());
        assertEquals("Tandem", dashboard.path("title").asText());
        assertEquals("tandem", dashboard.path("uid").asText());
        List<ObservabilityStack.Query> queries = ObservabilityStack.prometheusQueries(dashboard);
        assertFalse(queries.isEmpty());
        for (ObservabilityStack.Query query : queries) {
            Set<String> names = metricNames(query.expr());
            assertFalse(names.isEmpty(), query + " reads no metric");
            for (String name : names) {
                assertTrue(TANDEM_METRICS.contains(name), query.where() + " queries " + name
                        + ", which is not one of Tandem's metrics: " + query.expr());
            }
        }
        assertEquals(new TreeSet<>(TANDEM_METRICS), ObservabilityStack.dashboardMetricNames(),
                "the dashboard covers every metric of the contract");
    }

    @Test
    void histogramsAreReadAsPercentilesOverTheirBuckets() {
        Set<String> quantiled = new TreeSet<>();
        for (ObservabilityStack.Query query : ObservabilityStack.prometheusQueries(json(ObservabilityStack.dashboardFile()))) {
            for (String name : metricNames(query.expr())) {
                if (name.endsWith("_bucket")) {
                    Matcher m = Pattern.compile("histogram_quantile\\(\\s*0?\\.\\d+\\s*,\\s*sum by \\(([^)]*)\\)\\s*\\(rate\\("
                            + Pattern.quote(name) + "[{\\[]").matcher(query.expr());
                    assertTrue(m.find(), query.where() + ": " + name + " outside histogram_quantile(q, sum by (le…) (rate(…)))");
                    assertTrue(List.of(m.group(1).split("\\s*,\\s*")).contains("le"), query.where() + " keeps le");
                    quantiled.add(name);
                }
            }
        }
        assertTrue(quantiled.containsAll(Set.of("dynamo_frontend_time_to_first_token_seconds_bucket",
                "dynamo_frontend_inter_token_latency_seconds_bucket", "dynamo_frontend_request_duration_seconds_bucket")));
    }

    @Test
    void dashboardCoversTheSpecPanels() {
        JsonNode dashboard = json(ObservabilityStack.dashboardFile());
        Map<String, Set<String>> metricsByTitle = new HashMap<>();
        Set<Integer> ids = new HashSet<>();
        List<JsonNode> placed = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique: " + panel.path("id"));
            JsonNode grid = panel.path("gridPos");
            assertTrue(grid.path("w").asInt() > 0 && grid.path("x").asInt() + grid.path("w").asInt() <= 24, panel.toString());
            for (JsonNode other : placed) {
                assertFalse(overlap(grid, other.path("gridPos")),
                        panel.path("title") + " overlaps " + other.path("title"));
            }
            placed.add(panel);
            Set<String> names = new TreeSet<>();
            panel.path("targets").forEach(t -> names.addAll(metricNames(t.path("expr").asText())));
            metricsByTitle.merge(panel.path("title").asText().toLowerCase(), names, (a, b) -> {
                a.addAll(b);
                return a;
            });
        }
        Map<String, String> expected = Map.of(
                "requests / s", "dynamo_frontend_requests_total",
                "request duration", "dynamo_frontend_request_duration_seconds_bucket",
                "time to first token", "dynamo_frontend_time_to_first_token_seconds_bucket",
                "inter-token latency", "dynamo_frontend_inter_token_latency_seconds_bucket",
                "token throughput", "dynamo_frontend_output_tokens_total",
                "kv cache usage", "dynamo_component_gpu_cache_usage_percent",
                "in flight and queued", "dynamo_frontend_queued_requests",
                "worker in flight", "dynamo_component_inflight_requests",
                "uptime", "dynamo_component_uptime_seconds");
        expected.forEach((title, metric) -> {
            Set<String> names = metricsByTitle.get(title);
            if (names == null) {
                fail("no panel '" + title + "'; panels: " + metricsByTitle.keySet());
            }
            assertTrue(names.contains(metric), "panel '" + title + "' reads " + metric);
        });
    }

    private static boolean overlap(JsonNode a, JsonNode b) {
        return a.path("x").asInt() < b.path("x").asInt() + b.path("w").asInt()
                && b.path("x").asInt() < a.path("x").asInt() + a.path("w").asInt()
                && a.path("y").asInt() < b.path("y").asInt() + b.path("h").asInt()
                && b.path("y").asInt() < a.path("y").asInt() + a.path("h").asInt();
    }

    @Test
    void metricNamesAreReadFromPromQl() {
        assertEquals(Set.of("a_bucket"), metricNames(
                "histogram_quantile(0.99, sum by (le, dynamo_component) (rate(a_bucket{model=~\"(?i)$model\", x=\"y z\"}[$__rate_interval])))"));
        assertEquals(Set.of("a_total", "b_total"), metricNames(
                "(sum(rate(a_total{s=\"error\"}[1m])) or vector(0)) / sum without (x) (rate(b_total[5m] offset 1m)) * 1e9"));
        assertEquals(Set.of("m"), metricNames("label_values(m, model)"));
        assertEquals(Set.of("up"), metricNames("max by (job, instance) (up) > bool 0"));
    }

    /**
     * With Prometheus' promtool on the PATH (Debian's prometheus package, which CI installs): prometheus.yml is a valid
     * config, and every PromQL query of the dashboard and of Tempo's metrics link parses (as recording rules, Grafana's
     * variables replaced by values).
     */
    @Test
    void promtoolAcceptsTheConfigAndEveryQuery() throws Exception {
        Assumptions.assumeTrue(onPath("promtool"), "promtool not on the PATH: skipping");
        assertPromtool("check", "config", configFile("prometheus").toString());

        List<String> exprs = new ArrayList<>();
        ObservabilityStack.prometheusQueries(json(ObservabilityStack.dashboardFile())).forEach(q -> exprs.add(q.expr()));
        datasources().get("tempo").path("jsonData").path("tracesToMetrics").path("queries")
                .forEach(q -> exprs.add(provisioned(q.path("query").asText())));
        var rules = ObservabilityStack.JSON.createArrayNode();
        for (String expr : exprs) {
            if (!expr.startsWith("label_values(")) {
                rules.addObject().put("record", "tandem:query_" + rules.size())
                        .put("expr", expr.replace("$__rate_interval", "1m").replace("$model", ".*"));
            }
        }
        var groups = ObservabilityStack.JSON.createObjectNode();
        groups.putArray("groups").addObject().put("name", "dashboard").set("rules", rules);
        Path file = Files.createTempFile("tandem-dashboard-rules", ".json");
        try {
            ObservabilityStack.JSON.writeValue(file.toFile(), groups);
            assertPromtool("check", "rules", file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    private static void assertPromtool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), String.join(" ", command) + ":\n" + output);
    }

    @Test
    void tracedLauncherWrapsTheLauncher() {
        Path script = projectDir().resolve("scripts/launch-traced.sh");
        assertTrue(Files.isExecutable(script), script + " is executable");
        String text = text(script);
        assertTrue(text.contains("export DYN_LOGGING_JSONL=true"));
        assertTrue(text.contains("export OTEL_EXPORT_ENABLED=true"));
        assertTrue(text.contains("export OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:-http://localhost:"
                + port(publishedPorts("otel-collector").stream().filter(p -> p.endsWith(":4317")).findFirst().orElseThrow())
                + "}"));
        assertTrue(text.contains("exec \"$(dirname \"$0\")/launch.sh\" \"$@\""), "execs the launcher, no copy of it");
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
