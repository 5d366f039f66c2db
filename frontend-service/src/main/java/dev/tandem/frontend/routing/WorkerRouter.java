package dev.tandem.frontend.routing;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.tandem.frontend.config.FrontendConfig;
import dev.tandem.frontend.config.FrontendConfig.RoutingMode;

/**
 * Which worker of a role serves a request: the reachable ones of the {@link WorkerDirectory}, best first, by
 * the configured mode ({@code tandem.routing.mode}): KV-aware ({@link KvRouter}) or least loaded.
 */
@ApplicationScoped
public class WorkerRouter {

    private final WorkerDirectory directory;
    private final KvRouter kv;

    public WorkerRouter(WorkerDirectory directory, FrontendConfig config) {
        this.directory = directory;
        this.kv = config.routing().mode() == RoutingMode.KV ? new KvRouter(config.routing().kvOverlapWeight()) : null;
    }

    /** Reachable workers of a role for a prompt, best first. */
    public List<WorkerEndpoint> candidates(WorkerRole role, int[] prompt) {
        List<WorkerEndpoint> reachable = directory.candidates(role);
        return kv == null ? reachable : kv.rank(reachable, prompt);
    }

    /** The prompt goes to the worker, which will run it (or keep its transferred KV). */
    public void sent(WorkerEndpoint worker, int[] prompt) {
        if (kv != null) {
            kv.sent(worker, prompt);
        }
    }
}
