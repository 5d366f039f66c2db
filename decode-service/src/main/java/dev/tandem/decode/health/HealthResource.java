package dev.tandem.decode.health;

import jakarta.ws.rs.Path;

import dev.tandem.model.worker.WorkerHealth;
import dev.tandem.model.worker.WorkerHealthResource;

@Path("/")
public class HealthResource extends WorkerHealthResource {

    public HealthResource(WorkerHealth health) {
        super(health);
    }
}
