package dev.tandem.prefill.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.tandem.worker.config.WorkerConfig;

/** The {@code host:port} a decode worker dials to pull KV from this worker: written into every KV handle. */
@ApplicationScoped
public class AdvertisedAddress {

    private final String value;

    public AdvertisedAddress(WorkerConfig config, @ConfigProperty(name = "quarkus.grpc.server.port") int grpcPort) {
        this.value = config.advertisedAddress().orElse("127.0.0.1:" + grpcPort);
    }

    public String value() {
        return value;
    }
}
