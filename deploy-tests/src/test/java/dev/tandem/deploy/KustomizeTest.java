package dev.tandem.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Every overlay under k8s/overlays, rendered by {@code kubectl kustomize} (skipped without kubectl), validated against
 * the Kubernetes schemas (kubernetes-models, skipped without node) and held to the deployment rules: probes,
 * resources and a locked-down securityContext on every container, a PodDisruptionBudget and scrape annotations per
 * Deployment, Services that select pods, and workers discoverable through headless Services.
 */
class KustomizeTest {

    static final List<String> OVERLAYS = List.of("agg", "agg-tracing", "disagg", "disagg-gpu", "disagg-tracing");
    private static final Map<String, String> RENDERED = new ConcurrentHashMap<>();

    static List<String> overlays() {
        return OVERLAYS;
    }

    static String render(String overlay) {
        Path kubectl = Repo.requireOnPath("kubectl", "rendering k8s/overlays/" + overlay);
        return RENDERED.computeIfAbsent(overlay,
                o -> Repo.run(List.of(kubectl.toString(), "kustomize", "k8s/overlays/" + o), ""));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> objects(String overlay) {
        List<Map<String, Object>> objects = new ArrayList<>();
        new Yaml().loadAll(render(overlay)).forEach(object -> objects.add((Map<String, Object>) object));
        return objects;
    }

    static List<Map<String, Object>> ofKind(List<Map<String, Object>> objects, String kind) {
        return objects.stream().filter(object -> kind.equals(object.get("kind"))).toList();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object object, String... path) {
        Object at = object;
        for (String key : path) {
            at = at == null ? null : ((Map<String, Object>) at).get(key);
        }
        return (Map<String, Object>) at;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> object, String key) {
        return object == null ? List.of() : (List<Map<String, Object>>) object.getOrDefault(key, List.of());
    }

    static String name(Map<String, Object> object) {
        return (String) map(object, "metadata").get("name");
    }

    static String role(Map<String, Object> deployment) {
        return name(deployment).substring("tandem-".length());
    }

    static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        list(container, "env").forEach(entry -> env.put((String) entry.get("name"), (String) entry.get("value")));
        return env;
    }

    static Map<String, Object> container(Map<String, Object> deployment) {
        return list(map(deployment, "spec", "template", "spec"), "containers").getFirst();
    }

    @Test
    void everyOverlayIsTested() throws IOException {
        try (Stream<Path> dirs = Files.list(Repo.path("k8s/overlays"))) {
            assertEquals(OVERLAYS, dirs.map(dir -> dir.getFileName().toString()).sorted().toList());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyObjectValidatesAgainstTheKubernetesSchemas(String overlay) throws IOException {
        JsonNode results = new ObjectMapper().readTree(Repo.node("validate-k8s.mjs", render(overlay), List.of()));
        assertEquals(objects(overlay).size(), results.size(), results.toString());
        results.properties().forEach(result -> assertTrue(result.getValue().isNull(), result.getKey() + ": " + result.getValue()));
    }

    @Test
    void theSchemaCheckRejectsABrokenObject() throws IOException {
        String broken = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: broken}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    spec:
                      containers: [{name: c, image: i, ports: [{containerPort: http}]}]
                """;
        JsonNode results = new ObjectMapper().readTree(Repo.node("validate-k8s.mjs", broken, List.of()));
        assertTrue(results.get("Deployment/broken").asText().contains("containerPort"), results.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyContainerHasProbesResourcesAndALockedDownSecurityContext(String overlay) {
        List<Map<String, Object>> deployments = ofKind(objects(overlay), "Deployment");
        assertFalse(deployments.isEmpty());
        for (Map<String, Object> deployment : deployments) {
            Map<String, Object> pod = map(deployment, "spec", "template", "spec");
            Map<String, Object> podSecurity = map(pod, "securityContext");
            assertEquals(Boolean.TRUE, podSecurity.get("runAsNonRoot"), name(deployment));
            assertEquals("RuntimeDefault", map(podSecurity, "seccompProfile").get("type"));
            assertEquals(Boolean.FALSE, pod.get("automountServiceAccountToken"), "no API token: discovery is DNS");
            for (Map<String, Object> container : list(pod, "containers")) {
                String where = overlay + " " + name(deployment) + "/" + container.get("name");
                Set<String> ports = new HashSet<>();
                list(container, "ports").forEach(port -> ports.add((String) port.get("name")));
                boolean frontend = role(deployment).equals("frontend");
                String port = frontend ? "http" : "system";
                assertProbe(container, "livenessProbe", "/live", port, where);
                assertProbe(container, "readinessProbe", "/health", port, where);
                if (!frontend) {
                    assertProbe(container, "startupProbe", "/live", port, where);
                    assertTrue(ports.contains("grpc"), where + ": the gRPC port");
                }
                assertTrue(ports.contains(port), where + ": probes name a port the container has");
                Map<String, Object> resources = map(container, "resources");
                for (String kind : List.of("requests", "limits")) {
                    assertNotNull(map(resources, kind), where + " " + kind);
                    assertTrue(map(resources, kind).keySet().containsAll(List.of("cpu", "memory")), where + " " + kind);
                }
                Map<String, Object> security = map(container, "securityContext");
                assertEquals(Boolean.FALSE, security.get("allowPrivilegeEscalation"), where);
                assertEquals(Boolean.TRUE, security.get("readOnlyRootFilesystem"), where);
                assertEquals(List.of("ALL"), map(security, "capabilities").get("drop"), where);
                assertFalse(Boolean.TRUE.equals(security.get("privileged")), where);
                Set<String> mounts = new HashSet<>();
                list(container, "volumeMounts").forEach(mount -> mounts.add((String) mount.get("mountPath")));
                assertTrue(mounts.containsAll(Set.of("/tmp", "/models")), where + ": scratch space and the model");
            }
        }
    }

    private static void assertProbe(Map<String, Object> container, String probe, String path, String port, String where) {
        Map<String, Object> httpGet = map(container, probe, "httpGet");
        assertNotNull(httpGet, where + " " + probe);
        assertEquals(path, httpGet.get("path"), where + " " + probe);
        assertEquals(port, httpGet.get("port"), where + " " + probe);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyDeploymentHasADisruptionBudgetScrapeAnnotationsAndAService(String overlay) {
        List<Map<String, Object>> objects = objects(overlay);
        for (Map<String, Object> deployment : ofKind(objects, "Deployment")) {
            Map<String, Object> podLabels = map(deployment, "spec", "template", "metadata", "labels");
            assertTrue(podLabels.entrySet().containsAll(map(deployment, "spec", "selector", "matchLabels").entrySet()));
            long budgets = ofKind(objects, "PodDisruptionBudget").stream()
                    .filter(pdb -> podLabels.entrySet().containsAll(map(pdb, "spec", "selector", "matchLabels").entrySet()))
                    .count();
            assertEquals(1, budgets, name(deployment) + ": one PodDisruptionBudget");
            Map<String, Object> annotations = map(deployment, "spec", "template", "metadata", "annotations");
            assertEquals("true", annotations.get("prometheus.io/scrape"));
            assertEquals("/metrics", annotations.get("prometheus.io/path"));
            Object metricsPort = list(container(deployment), "ports").getFirst().get("containerPort");
            assertEquals(String.valueOf(metricsPort), annotations.get("prometheus.io/port"), "metrics are on the HTTP port");
            assertTrue(ofKind(objects, "Service").stream().anyMatch(service ->
                            podLabels.entrySet().containsAll(map(service, "spec", "selector").entrySet())),
                    name(deployment) + " is behind a Service");
        }
        Set<String> configMaps = new HashSet<>();
        ofKind(objects, "ConfigMap").forEach(configMap -> configMaps.add(name(configMap)));
        for (Map<String, Object> deployment : ofKind(objects, "Deployment")) {
            list(container(deployment), "envFrom").forEach(source ->
                    assertTrue(configMaps.contains((String) map(source, "configMapRef").get("name")), "envFrom a rendered ConfigMap"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theFrontendFindsEveryWorkerThroughAHeadlessService(String overlay) {
        List<Map<String, Object>> objects = objects(overlay);
        Map<String, Object> frontend = ofKind(objects, "Deployment").stream()
                .filter(deployment -> role(deployment).equals("frontend")).findFirst().orElseThrow();
        Map<String, String> env = env(container(frontend));
        Set<String> workerRoles = new HashSet<>();
        ofKind(objects, "Deployment").stream().map(KustomizeTest::role).filter(role -> !role.equals("frontend"))
                .forEach(workerRoles::add);
        assertEquals(overlay.startsWith("disagg") ? Set.of("prefill", "decode") : Set.of("decode"), workerRoles);
        for (String role : List.of("prefill", "decode")) {
            String variable = "TANDEM_" + role.toUpperCase() + "_WORKERS";
            if (!workerRoles.contains(role)) {
                assertNull(env.get(variable), overlay + ": no " + role + " workers, no " + variable);
                continue;
            }
            assertEquals("stork://" + role, env.get(variable));
            assertEquals("tandem-" + role + ".$(POD_NAMESPACE).svc.cluster.local",
                    env.get("TANDEM_" + role.toUpperCase() + "_DNS_NAME"));
            Map<String, Object> service = ofKind(objects, "Service").stream()
                    .filter(s -> name(s).equals("tandem-" + role)).findFirst().orElseThrow();
            assertEquals("None", map(service, "spec").get("clusterIP"), "headless: one A record per ready pod");
            assertTrue(list(map(service, "spec"), "ports").stream()
                    .anyMatch(port -> Integer.valueOf(9081).equals(port.get("port"))), "the gRPC port the frontend dials");
        }
    }

    /** Kubernetes expands $(VAR) only from variables defined before it in the same container. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void variableReferencesPointToEarlierVariables(String overlay) {
        Pattern reference = Pattern.compile("\\$\\(([A-Z_]+)\\)");
        for (Map<String, Object> deployment : ofKind(objects(overlay), "Deployment")) {
            Set<String> defined = new HashSet<>();
            for (Map.Entry<String, String> variable : env(container(deployment)).entrySet()) {
                if (variable.getValue() != null) {
                    Matcher matcher = reference.matcher(variable.getValue());
                    while (matcher.find()) {
                        assertTrue(defined.contains(matcher.group(1)),
                                name(deployment) + ": " + variable.getKey() + " uses $(" + matcher.group(1) + ") before it is set");
                    }
                }
                defined.add(variable.getKey());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void tracingAndGpuVariantsSetWhatTheySay(String overlay) {
        List<Map<String, Object>> objects = objects(overlay);
        Map<String, Object> config = map(ofKind(objects, "ConfigMap").getFirst(), "data");
        boolean tracing = overlay.endsWith("-tracing");
        assertEquals(String.valueOf(tracing), config.get("OTEL_EXPORT_ENABLED"));
        assertEquals("true", config.get("DYN_LOGGING_JSONL"));
        if (tracing) {
            assertEquals("http://tempo.observability.svc.cluster.local:4317", config.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        }
        for (Map<String, Object> deployment : ofKind(objects, "Deployment")) {
            String role = role(deployment);
            assertEquals(role.equals("frontend") ? "dynamo-frontend" : "dynamo-worker-" + role,
                    env(container(deployment)).get("OTEL_SERVICE_NAME"));
            boolean gpu = overlay.endsWith("-gpu") && !role.equals("frontend");
            assertEquals(gpu ? "1" : null, map(container(deployment), "resources", "limits").get("nvidia.com/gpu"), name(deployment));
            assertEquals("tandem/" + role + (gpu ? ":cuda" : ":jvm"), container(deployment).get("image"));
        }
        boolean volume = overlay.endsWith("-gpu");
        assertEquals(volume ? "/models/model.gguf" : "", config.get("TANDEM_MODEL"));
        assertEquals(volume ? 1 : 0, ofKind(objects, "PersistentVolumeClaim").size());
    }
}
