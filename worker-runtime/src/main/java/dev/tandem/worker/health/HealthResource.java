package dev.tandem.worker.health;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code /health} and {@code /live} on a worker's system port, with Dynamo's bodies: 200 when ready, 503 when
 * not, JSON served as {@code text/plain}.
 */
@Path("/")
public class HealthResource {

    private final WorkerHealth health;

    public HealthResource(WorkerHealth health) {
        this.health = health;
    }

    @GET
    @Path("/health")
    public Response health() {
        return report();
    }

    @GET
    @Path("/live")
    public Response live() {
        return report();
    }

    private Response report() {
        return Response.status(health.isReady() ? 200 : 503)
                .type("text/plain; charset=utf-8")
                .entity(health.body())
                .build();
    }
}
