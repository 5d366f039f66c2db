package dev.tandem.frontend.routing;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.tandem.frontend.config.FrontendConfig;
import dev.tandem.protocol.GrpcChannels;
import dev.tandem.protocol.grpc.InfoRequest;
import dev.tandem.protocol.grpc.WorkerGrpc;
import dev.tandem.protocol.grpc.WorkerInfo;
import io.grpc.ClientInterceptor;
import io.grpc.stub.StreamObserver;
import io.quarkus.runtime.Startup;

/**
 * The workers per role, their last reported load, and the least-loaded choice among the reachable ones. In the
 * background, each refresh re-resolves the configured entries ({@link WorkerDiscovery}: fixed addresses or Stork
 * services), so a worker joins or leaves the set, then polls every worker's info; a failed call also marks a
 * worker unreachable at once. Started with the application, so discovery and polling run before the first request.
 */
@Startup
@ApplicationScoped
public class WorkerDirectory {

    private static final Logger LOG = Logger.getLogger(WorkerDirectory.class);

    private final Map<WorkerRole, List<String>> entries;
    private final WorkerDiscovery discovery;
    private final Map<WorkerRole, List<WorkerEndpoint>> workers = new ConcurrentHashMap<>();
    private final GrpcChannels channels;
    private final long infoTimeoutMillis;
    private final Consumer<WorkerInfo> onInfo;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("worker-info-poller").daemon().factory());

    @Inject
    public WorkerDirectory(FrontendConfig config, @Any Instance<ClientInterceptor> interceptors, WorkerReports reports) {
        this(Map.of(WorkerRole.PREFILL, config.prefillWorkers().orElse(List.of()),
                        WorkerRole.DECODE, config.decodeWorkers()),
                WorkerDiscovery.stork(config.routing().infoTimeout()),
                new GrpcChannels(interceptors.stream().toList()), config.routing().infoTimeout(), reports::workerReported);
        poller.scheduleWithFixedDelay(this::refresh, 0, config.routing().infoInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("Routing to prefill workers %s and decode workers %s (%s)", entries.get(WorkerRole.PREFILL),
                entries.get(WorkerRole.DECODE), entries.get(WorkerRole.PREFILL).isEmpty() ? "aggregated" : "disaggregated");
    }

    /** Without the background refresh: {@link #refresh()} runs when called. */
    WorkerDirectory(Map<WorkerRole, List<String>> entries, WorkerDiscovery discovery, GrpcChannels channels,
            Duration infoTimeout, Consumer<WorkerInfo> onInfo) {
        this.entries = Map.copyOf(entries);
        this.discovery = discovery;
        this.channels = channels;
        this.infoTimeoutMillis = infoTimeout.toMillis();
        this.onInfo = onInfo;
        for (WorkerRole role : WorkerRole.values()) {
            workers.put(role, List.of());
            update(role, discovery.fixed(entries.get(role)));
        }
    }

    /** Whether the role has workers now (without prefill workers the frontend serves aggregated). */
    public boolean hasRole(WorkerRole role) {
        return !workers.get(role).isEmpty();
    }

    public List<WorkerEndpoint> all(WorkerRole role) {
        return workers.get(role);
    }

    /** Reachable workers of a role that take work (not draining), least loaded first. */
    public List<WorkerEndpoint> candidates(WorkerRole role) {
        return workers.get(role).stream().filter(worker -> worker.reachable() && !worker.draining())
                .sorted(Comparator.comparingDouble(WorkerEndpoint::load)).toList();
    }

    /** Re-resolves every role's workers, then polls each one's info. */
    void refresh() {
        try {
            for (WorkerRole role : WorkerRole.values()) {
                update(role, discovery.resolve(entries.get(role)));
            }
            workers.values().forEach(endpoints -> endpoints.forEach(this::poll));
        } catch (RuntimeException e) {
            // an exception would cancel the scheduled refresh for good
            LOG.errorf(e, "Refreshing the workers failed");
        }
    }

    /** The role's workers become these addresses: those still there keep their state, the others come and go. */
    private synchronized void update(WorkerRole role, List<String> addresses) {
        List<WorkerEndpoint> current = workers.get(role);
        Map<String, WorkerEndpoint> known = current.stream()
                .collect(Collectors.toMap(WorkerEndpoint::address, Function.identity()));
        List<WorkerEndpoint> next = addresses.stream()
                .map(address -> known.containsKey(address) ? known.get(address) : new WorkerEndpoint(address, channels.get(address)))
                .toList();
        if (next.equals(current)) {
            return;
        }
        workers.put(role, next);
        Set<String> kept = Set.copyOf(addresses);
        next.stream().filter(worker -> !known.containsKey(worker.address()))
                .forEach(worker -> LOG.infof("%s worker %s joined", role, worker.address()));
        for (WorkerEndpoint gone : current) {
            if (!kept.contains(gone.address())) {
                LOG.infof("%s worker %s left", role, gone.address());
                if (workers.values().stream().flatMap(List::stream).noneMatch(w -> w.address().equals(gone.address()))) {
                    channels.release(gone.address());
                }
            }
        }
    }

    private void poll(WorkerEndpoint endpoint) {
        WorkerGrpc.newStub(endpoint.channel()).withDeadlineAfter(infoTimeoutMillis, TimeUnit.MILLISECONDS)
                .info(InfoRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(WorkerInfo info) {
                        if (!endpoint.reachable()) {
                            LOG.infof("Worker %s (%s) is reachable", endpoint.address(), info.getWorkerId());
                        }
                        if (info.getDraining() && !endpoint.draining()) {
                            LOG.infof("Worker %s (%s) is draining: routing no new work to it", endpoint.address(),
                                    info.getWorkerId());
                        }
                        endpoint.reported(info);
                        onInfo.accept(info);
                    }

                    @Override
                    public void onError(Throwable error) {
                        if (endpoint.reachable()) {
                            LOG.warnf("Worker %s is unreachable: %s", endpoint.address(), error.getMessage());
                        }
                        endpoint.markUnreachable();
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
    }

    @PreDestroy
    void close() {
        poller.shutdownNow();
        channels.close();
    }
}
