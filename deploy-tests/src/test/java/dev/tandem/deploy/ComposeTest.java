package dev.tandem.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/compose.{agg,disagg}.yaml (no Docker here to run them): every service builds from a Dockerfile that exists,
 * mounts the model read-only, reads only documented variables, reaches workers that the file defines, and publishes
 * the ports that the observability stack's Prometheus scrapes and its collector's OTLP port.
 */
class ComposeTest {

    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z_]+)(?::-([^}]*))?}");

    /** A compose value with every ${VAR:-default} replaced by its default, or by the given value for that variable. */
    static String interpolate(String value, Map<String, String> variables) {
        Matcher matcher = INTERPOLATION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement = variables.getOrDefault(matcher.group(1), matcher.group(2) == null ? "" : matcher.group(2));
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return matcher.appendTail(out).toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services(String file) {
        Map<String, Object> compose = new Yaml().load(Repo.read(file));
        assertEquals("tandem", compose.get("name"));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> environment(Map<String, Object> service) {
        return (Map<String, String>) service.get("environment");
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/compose.agg.yaml", "docker/compose.disagg.yaml"})
    @SuppressWarnings("unchecked")
    void servicesBuildMountAndConfigureRealThings(String file) {
        Map<String, Map<String, Object>> services = services(file);
        Set<String> expected = file.contains("disagg") ? Set.of("frontend", "prefill", "decode") : Set.of("frontend", "decode");
        assertEquals(expected, services.keySet());
        String readme = Repo.read("README.md");
        services.forEach((name, service) -> {
            Map<String, String> build = (Map<String, String>) service.get("build");
            assertEquals("..", build.get("context"), name + ": the repository root (paths are relative to docker/)");
            for (String variant : List.of("jvm", "native")) {
                String dockerfile = interpolate(build.get("dockerfile"), Map.of("TANDEM_IMAGE_VARIANT", variant));
                assertEquals("docker/" + name + "/Dockerfile." + variant, dockerfile);
                assertTrue(Files.isRegularFile(Repo.path(dockerfile)), dockerfile);
            }
            assertEquals("tandem/" + name + ":jvm", interpolate((String) service.get("image"), Map.of()));
            assertEquals(List.of("/models:ro"), ((List<String>) service.get("volumes")).stream()
                    .map(volume -> volume.substring(volume.lastIndexOf(":/") + 1)).toList(), name + ": the model, read-only");
            Map<String, String> env = environment(service);
            for (String variable : List.of("TANDEM_MODEL", "DYN_LOGGING_JSONL", "OTEL_EXPORT_ENABLED",
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SERVICE_NAME")) {
                assertTrue(env.containsKey(variable), name + " sets " + variable);
            }
            env.keySet().forEach(variable -> assertTrue(readme.contains("`" + variable + "`"), variable + " is not documented in README.md"));
            ((List<String>) service.getOrDefault("depends_on", List.of()))
                    .forEach(dependency -> assertTrue(services.containsKey(dependency), dependency));
        });
        String model = interpolate(environment(services.get("frontend")).get("TANDEM_MODEL"), Map.of("TANDEM_MODEL", "/models/m.gguf"));
        assertTrue(model.startsWith("/models/"), "the model variable points into the mounted volume");
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/compose.agg.yaml", "docker/compose.disagg.yaml"})
    void theFrontendRoutesToWorkersOfThisFile(String file) {
        Map<String, Map<String, Object>> services = services(file);
        Map<String, String> env = environment(services.get("frontend"));
        for (String role : List.of("PREFILL", "DECODE")) {
            String workers = env.get("TANDEM_" + role + "_WORKERS");
            if (workers == null) {
                assertTrue(role.equals("PREFILL") && !services.containsKey("prefill"), "aggregated without prefill workers");
                continue;
            }
            String host = workers.equals("stork://" + role.toLowerCase()) ? env.get("TANDEM_" + role + "_DNS_NAME")
                    : workers.substring(0, workers.indexOf(':'));
            assertTrue(services.containsKey(host), workers + " reaches a service of this file");
            assertTrue(workers.startsWith("stork://") || workers.endsWith(":9081"), "the workers' gRPC port: " + workers);
        }
        if (services.containsKey("prefill")) {
            assertEquals("prefill:9081", environment(services.get("prefill")).get("TANDEM_ADVERTISED_ADDRESS"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/compose.agg.yaml", "docker/compose.disagg.yaml"})
    @SuppressWarnings("unchecked")
    void publishedPortsAreTheOnesTheObservabilityStackScrapes(String file) {
        Map<String, Map<String, Object>> services = services(file);
        Set<String> published = new TreeSet<>();
        services.forEach((name, service) -> ((List<String>) service.get("ports")).forEach(port -> {
            String[] hostAndContainer = port.split(":");
            assertEquals(name.equals("frontend") ? "8000" : "8081", hostAndContainer[1], name + ": its HTTP port");
            published.add(hostAndContainer[0].split("-")[0]);
        }));
        Set<String> scraped = new TreeSet<>();
        Matcher target = Pattern.compile("host\\.docker\\.internal:(\\d+)").matcher(Repo.read("docker/observability/prometheus.yml"));
        while (target.find()) {
            scraped.add(target.group(1));
        }
        assertTrue(scraped.containsAll(published), "Prometheus scrapes " + scraped + ", compose publishes " + published);
        String otlp = interpolate(environment(services.get("frontend")).get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), Map.of());
        assertEquals("http://host.docker.internal:4317", otlp);
        Map<String, Object> stack = new Yaml().load(Repo.read("docker/observability/docker-compose.yml"));
        Map<String, Map<String, Object>> stackServices = (Map<String, Map<String, Object>>) stack.get("services");
        assertTrue(((List<String>) stackServices.get("otel-collector").get("ports")).contains("4317:4317"),
                "the collector publishes OTLP/gRPC on the host");
        services.values().forEach(service -> assertTrue(
                ((List<String>) service.get("extra_hosts")).contains("host.docker.internal:host-gateway")));
    }
}
