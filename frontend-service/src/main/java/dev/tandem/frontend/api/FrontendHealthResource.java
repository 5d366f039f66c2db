package dev.tandem.frontend.api;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.tandem.frontend.routing.WorkerDirectory;
import dev.tandem.frontend.routing.WorkerEndpoint;
import dev.tandem.frontend.routing.WorkerRole;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Dynamo's frontend probes: {@code /live} does not depend on workers; {@code /health} lists the reachable
 * worker endpoints and answers 503 {@code unhealthy} while there is no decode worker to serve with.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class FrontendHealthResource {

    private final WorkerDirectory directory;
    private volatile boolean shuttingDown;

    public FrontendHealthResource(WorkerDirectory directory) {
        this.directory = directory;
    }

    void onStop(@Observes ShutdownEvent event) {
        shuttingDown = true;
    }

    @GET
    @Path("/live")
    public Response live() {
        return shuttingDown
                ? Response.status(503).entity(Map.of("status", "shutting_down", "message", "Service is shutting down")).build()
                : Response.ok(Map.of("status", "live", "message", "Service is live")).build();
    }

    @GET
    @Path("/health")
    public Response health() {
        List<Map<String, Object>> instances = Stream.of(WorkerRole.values())
                .flatMap(role -> directory.candidates(role).stream().map(worker -> instance(role, worker)))
                .toList();
        List<String> endpoints = instances.stream().map(i -> "dyn://dynamo." + i.get("component") + ".generate")
                .distinct().sorted().toList();
        if (directory.candidates(WorkerRole.DECODE).isEmpty()) {
            return Response.status(503).entity(Map.of("status", "unhealthy", "message", "No endpoints available",
                    "instances", instances)).build();
        }
        return Response.ok(Map.of("status", "healthy", "endpoints", endpoints, "instances", instances)).build();
    }

    private static Map<String, Object> instance(WorkerRole role, WorkerEndpoint worker) {
        String component = role == WorkerRole.PREFILL ? "prefill" : "backend";
        String instanceId = worker.lastInfo() != null ? worker.lastInfo().getWorkerId() : "";
        return Map.of("component", component, "endpoint", "generate", "namespace", "dynamo", "instance_id", instanceId,
                "transport", Map.of("grpc", worker.address()));
    }
}
