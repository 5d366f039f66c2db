package dev.tandem.worker;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code /health} and {@code /live} on a worker's system port, with Dynamo's bodies: 200 when ready, 503 when
 * not, JSON served as {@code text/plain}. Each worker service declares a {@code @Path("/")} subclass; the class
 * itself is abstract so the frontend, which shares this module, does not get it.
 */
public abstract class WorkerHealthResource {

    private final WorkerHealth health;

    protected WorkerHealthResource(WorkerHealth health) {
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
