package dev.tandem.frontend.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One Tandem service as a separate JVM, the way the launcher runs it: its packaged jar, its own port. */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Every port {@link #freePort()} has handed out in this JVM. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    final String name;
    /** HTTP: the frontend's API, a worker's system port (health, metrics). */
    final int port;
    /** A worker's gRPC endpoint; 0 for the frontend. */
    final int grpcPort;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, int port, int grpcPort, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.grpcPort = grpcPort;
        this.process = process;
        this.log = log;
    }

    static ServiceProcess start(String name, String module, Map<String, String> env) {
        Path project = projectDir();
        Path jar = project.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build the project first (./mvnw verify builds it)");
        }
        boolean frontend = module.equals("frontend-service");
        int port = freePort();
        int grpcPort = frontend ? 0 : freePort();
        Path log = project.resolve("frontend-service/target/e2e-logs/" + name + ".log");
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        try {
            Files.createDirectories(log.getParent());
            builder.redirectOutput(log.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        builder.environment().putAll(env);
        builder.environment().put(frontend ? "DYN_HTTP_PORT" : "DYN_SYSTEM_PORT", String.valueOf(port));
        if (!frontend) {
            builder.environment().put("TANDEM_GRPC_PORT", String.valueOf(grpcPort));
        }
        try {
            Process process = builder.start();
            // even a test JVM that dies leaves no service behind
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            return new ServiceProcess(name, port, grpcPort, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path projectDir() {
        String dir = System.getProperty("project.root.dir");
        return dir != null ? Path.of(dir) : Path.of("").toAbsolutePath().getParent();
    }

    /**
     * A port nothing listens on: the system picks it (bind port 0, take the number), and none is handed out twice
     * in one test run, so processes started together (a service's HTTP and gRPC ports, several services) never
     * collide even when the system offers a port again after its probe socket closed.
     */
    static int freePort() {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                int port = socket.getLocalPort();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A worker's gRPC endpoint, as the frontend is configured with it. */
    String address() {
        return "127.0.0.1:" + grpcPort;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The series of a family on the service's {@code /metrics}: labels → value; none while it does not answer. */
    Map<String, Double> metric(String name) {
        String family = name.endsWith("{") ? name.substring(0, name.length() - 1) : name;
        HttpResponse<String> response;
        try {
            response = HTTP.send(HttpRequest.newBuilder(URI.create(url("/metrics"))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
        Map<String, Double> series = new HashMap<>();
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(family) + "(\\{[^}]*\\})? (\\S+)$").matcher(response.body());
        while (line.find()) {
            series.put(line.group(1) == null ? "" : line.group(1), Double.parseDouble(line.group(2)));
        }
        return series;
    }

    /** The sum of a family's series on the service's {@code /metrics}. */
    double metricSum(String name) {
        return metric(name).values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Waits until {@code /health} answers 200; fails at once if the process exits. */
    ServiceProcess awaitHealthy(Duration timeout) {
        if (!Waits.within(timeout, Duration.ofMillis(200), this::healthy)) {
            throw new IllegalStateException(name + " did not become healthy in " + timeout + ": see " + log);
        }
        return this;
    }

    private boolean healthy() throws InterruptedException {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + ": see " + log);
        }
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url("/health"))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    /** The service's output so far (stdout and stderr together), line by line. */
    List<String> logLines() {
        try (var lines = Files.lines(log)) {
            return lines.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many lines of the service's output so far contain {@code text}. */
    long logLinesContaining(String text) {
        try (var lines = Files.lines(log)) {
            return lines.filter(line -> line.contains(text)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, as an operator would stop it, then SIGKILL if it takes too long. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

}
