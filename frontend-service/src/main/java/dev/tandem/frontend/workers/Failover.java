package dev.tandem.frontend.workers;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.tandem.frontend.routing.WorkerEndpoint;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Tries a request's candidate workers in turn, best first: an unreachable worker is marked so and the next one is
 * tried, as long as nothing has been received from the failed one; after the last, {@code exhausted} answers.
 */
final class Failover {

    private Failover() {
    }

    static <T> Uni<T> uni(List<WorkerEndpoint> candidates, Function<WorkerEndpoint, Uni<T>> call,
            Supplier<Uni<T>> exhausted) {
        Iterator<WorkerEndpoint> next = candidates.iterator();
        return Uni.createFrom().deferred(() -> {
                    if (!next.hasNext()) {
                        return exhausted.get();
                    }
                    WorkerEndpoint worker = next.next();
                    return call.apply(worker).onFailure(WorkerErrors::isUnreachable).invoke(worker::markUnreachable);
                })
                .onFailure(WorkerErrors::isUnreachable).retry().indefinitely();
    }

    static <T> Multi<T> multi(List<WorkerEndpoint> candidates, Function<WorkerEndpoint, Multi<T>> call,
            Supplier<Multi<T>> exhausted) {
        Iterator<WorkerEndpoint> next = candidates.iterator();
        AtomicBoolean received = new AtomicBoolean();
        return Multi.createFrom().deferred(() -> {
                    if (!next.hasNext()) {
                        return exhausted.get();
                    }
                    WorkerEndpoint worker = next.next();
                    return call.apply(worker).onFailure(WorkerErrors::isUnreachable).invoke(worker::markUnreachable);
                })
                .onItem().invoke(() -> received.set(true))
                .onFailure(error -> !received.get() && WorkerErrors.isUnreachable(error)).retry().indefinitely();
    }
}
