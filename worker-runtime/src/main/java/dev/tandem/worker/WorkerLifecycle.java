package dev.tandem.worker;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.tandem.worker.health.WorkerHealth;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.quarkus.runtime.StartupEvent;

/**
 * Reports ready once the model is loaded and the gRPC server takes requests. On shutdown (SIGTERM: a rolling
 * update) it drains: the worker reports not ready and {@code draining} in its {@code Info} at once, so routers stop
 * sending it work; new requests are refused with UNAVAILABLE (go elsewhere); running work finishes for most of the
 * shutdown timeout, then what is left is handed back (the frontend migrates it) and its KV freed.
 */
@ApplicationScoped
public class WorkerLifecycle {

    private static final Logger LOG = Logger.getLogger(WorkerLifecycle.class);

    private final Duration drainTimeout;

    public WorkerLifecycle(@ConfigProperty(name = "quarkus.shutdown.timeout") Duration shutdownTimeout) {
        this.drainTimeout = shutdownTimeout.multipliedBy(8).dividedBy(10);
    }

    /**
     * On the main thread: loads the model and allocates the KV pool (injecting the runtime does), and starts the
     * workload (asking it for its load does), before reporting ready.
     */
    void onStart(@Observes StartupEvent event, WorkerRuntime runtime, WorkerWorkload workload, WorkerHealth health,
            Event<WorkerLoaded> loaded) {
        Infrastructure.setDroppedExceptionHandler(WorkerLifecycle::dropped);
        loaded.fire(new WorkerLoaded(runtime));
        // the protocol's descriptors are built on first use: here, rather than on the event loop of a first call
        dev.tandem.protocol.grpc.WorkerProto.getDescriptor().getMessageTypes().forEach(type -> type.toProto());
        workload.describeLoad(dev.tandem.protocol.grpc.WorkerInfo.newBuilder());
        health.loaded(runtime.servedModelName(), runtime.pool().totalBlocks());
        health.serving();
    }

    /**
     * A failure Mutiny could deliver to no one: a stream whose caller had already left (a cancelled request whose
     * sequence ended with CANCELLED, or a KV pull that found the handle released) ends that way. The caller chose
     * to go; it is not an error of this worker: DEBUG. Anything else is still worth a warning with its trace.
     */
    static void dropped(Throwable error) {
        if (error instanceof StatusRuntimeException || error instanceof StatusException) {
            LOG.debugf("A stream ended after its caller had left: %s", Status.fromThrowable(error));
        } else {
            LOG.warn("A failure was dropped: no subscriber could take it", error);
        }
    }

    void onStop(@Observes ShutdownEvent event, WorkerWorkload workload, WorkerHealth health) {
        health.draining();
        LOG.infof("Draining: taking no new work; running work has %d ms to finish", drainTimeout.toMillis());
        workload.drain(drainTimeout);
    }
}
