package dev.tandem.decode.health;

import jakarta.ws.rs.Path;

import dev.tandem.worker.WorkerHealth;
import dev.tandem.worker.WorkerHealthResource;

@Path("/")
public class HealthResource extends WorkerHealthResource {

    public HealthResource(WorkerHealth health) {
        super(health);
    }
}
