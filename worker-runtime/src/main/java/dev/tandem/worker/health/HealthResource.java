package dev.tandem.worker.health;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import io.smallrye.health.SmallRyeHealthReporter;

/**
 * {@code /health} and {@code /live} on a worker's system port, with Dynamo's bodies (200 {@code ready}, 503
 * {@code notready}, JSON served as {@code text/plain}), computed from the same SmallRye Health checks as
 * {@code /q/health/ready} and {@code /q/health/live}: {@code /health} from the readiness checks (not ready while
 * loading or draining), {@code /live} from the liveness checks (a draining worker stays alive until it has handed
 * its work over, so a liveness probe does not kill it mid-drain).
 */
@Path("/")
public class HealthResource {

    private final WorkerHealth health;
    private final SmallRyeHealthReporter reporter;

    public HealthResource(WorkerHealth health, SmallRyeHealthReporter reporter) {
        this.health = health;
        this.reporter = reporter;
    }

    @GET
    @Path("/health")
    public Response health() {
        return report(!reporter.getReadiness().isDown());
    }

    @GET
    @Path("/live")
    public Response live() {
        return report(!reporter.getLiveness().isDown());
    }

    private Response report(boolean ok) {
        return Response.status(ok ? 200 : 503)
                .type("text/plain; charset=utf-8")
                .entity(health.body(ok))
                .build();
    }
}
