package dev.tandem.frontend.routing;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import dev.tandem.frontend.config.FrontendConfig;
import dev.tandem.frontend.telemetry.FrontendMetrics;
import dev.tandem.model.telemetry.GrpcChannels;
import dev.tandem.protocol.grpc.InfoRequest;
import dev.tandem.protocol.grpc.WorkerGrpc;
import dev.tandem.protocol.grpc.WorkerInfo;
import io.grpc.ClientInterceptor;
import io.grpc.stub.StreamObserver;

/**
 * The configured workers per role, their last reported load, and the least-loaded choice among the reachable
 * ones. Each worker's info is polled in the background; a failed call also marks a worker unreachable at once.
 */
@ApplicationScoped
public class WorkerDirectory {

    private static final Logger LOG = Logger.getLogger(WorkerDirectory.class);

    private final Map<WorkerRole, List<WorkerEndpoint>> workers;
    private final GrpcChannels channels;
    private final long infoTimeoutMillis;
    private final FrontendMetrics metrics;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("worker-info-poller").daemon().factory());

    public WorkerDirectory(FrontendConfig config, @Any Instance<ClientInterceptor> interceptors, FrontendMetrics metrics) {
        this.metrics = metrics;
        this.channels = new GrpcChannels(interceptors.stream().toList());
        this.workers = Map.of(
                WorkerRole.PREFILL, endpoints(config.prefillWorkers().orElse(List.of())),
                WorkerRole.DECODE, endpoints(config.decodeWorkers()));
        this.infoTimeoutMillis = config.routing().infoTimeout().toMillis();
        long interval = config.routing().infoInterval().toMillis();
        poller.scheduleWithFixedDelay(this::refresh, 0, interval, TimeUnit.MILLISECONDS);
        LOG.infof("Routing to %d prefill and %d decode workers (%s)", workers.get(WorkerRole.PREFILL).size(),
                workers.get(WorkerRole.DECODE).size(),
                workers.get(WorkerRole.PREFILL).isEmpty() ? "aggregated" : "disaggregated");
    }

    private List<WorkerEndpoint> endpoints(List<String> addresses) {
        return addresses.stream().map(String::strip).filter(a -> !a.isEmpty()).distinct()
                .map(address -> new WorkerEndpoint(address, channels.get(address))).toList();
    }

    public boolean hasRole(WorkerRole role) {
        return !workers.get(role).isEmpty();
    }

    public List<WorkerEndpoint> all(WorkerRole role) {
        return workers.get(role);
    }

    /** Reachable workers of a role, least loaded first. */
    public List<WorkerEndpoint> candidates(WorkerRole role) {
        return workers.get(role).stream().filter(WorkerEndpoint::reachable)
                .sorted(Comparator.comparingDouble(WorkerEndpoint::load)).toList();
    }

    private void refresh() {
        workers.values().forEach(endpoints -> endpoints.forEach(this::poll));
    }

    private void poll(WorkerEndpoint endpoint) {
        WorkerGrpc.newStub(endpoint.channel()).withDeadlineAfter(infoTimeoutMillis, TimeUnit.MILLISECONDS)
                .info(InfoRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(WorkerInfo info) {
                        if (!endpoint.reachable()) {
                            LOG.infof("Worker %s (%s) is reachable", endpoint.address(), info.getWorkerId());
                        }
                        endpoint.reported(info);
                        metrics.modelReported(info);
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
