package dev.tandem.worker.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * A worker's SmallRye Health checks. Liveness: the model is loaded (a draining worker is still alive: it is
 * finishing its work). Readiness: the model is loaded, the KV pool allocated, the gRPC server accepts connections,
 * and the worker is not draining.
 */
@ApplicationScoped
public class WorkerChecks {

    private static final int CONNECT_TIMEOUT_MILLIS = 500;

    private final WorkerHealth health;
    private final int grpcPort;

    public WorkerChecks(WorkerHealth health, @ConfigProperty(name = "quarkus.grpc.server.port") int grpcPort,
            @ConfigProperty(name = "quarkus.grpc.server.test-port", defaultValue = "9001") int grpcTestPort) {
        this.health = health;
        this.grpcPort = io.quarkus.runtime.LaunchMode.current() == io.quarkus.runtime.LaunchMode.TEST ? grpcTestPort : grpcPort;
    }

    @Produces
    @Liveness
    HealthCheck modelLoadedLive() {
        return this::modelLoaded;
    }

    @Produces
    @Readiness
    HealthCheck modelLoadedReady() {
        return this::modelLoaded;
    }

    @Produces
    @Readiness
    HealthCheck kvPool() {
        return () -> HealthCheckResponse.named("kv-pool").status(health.kvBlocks() > 0)
                .withData("blocks", health.kvBlocks()).build();
    }

    @Produces
    @Readiness
    HealthCheck grpcServing() {
        return () -> HealthCheckResponse.named("grpc-serving").status(health.isServing() && accepts())
                .withData("port", grpcPort).build();
    }

    @Produces
    @Readiness
    HealthCheck notDraining() {
        return () -> HealthCheckResponse.named("not-draining").status(!health.isDraining()).build();
    }

    private HealthCheckResponse modelLoaded() {
        String model = health.model();
        return HealthCheckResponse.named("model-loaded").status(model != null)
                .withData("model", model == null ? "loading" : model).build();
    }

    /** Whether the gRPC port takes a connection now (a random port, 0, is not known here: the server started). */
    private boolean accepts() {
        if (grpcPort <= 0) {
            return true;
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", grpcPort), CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
