package dev.tandem.frontend.workers;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import dev.tandem.telemetry.logging.RequestLogContext;
import io.opentelemetry.context.Context;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Async gRPC calls as Mutiny streams whose cancellation cancels the call. Quarkus' Mutiny stubs of this
 * version do not cancel a server stream when its subscriber goes away, and that is what tells a worker that
 * the client left and its KV can be freed. The worker's answers arrive on a gRPC executor thread; they are
 * passed on in the request's logging and trace context, so what runs downstream logs with the request's ids. The
 * call itself starts in {@code trace}, whose span is the parent of the call's.
 */
final class WorkerCalls {

    private WorkerCalls() {
    }

    static <Q, R> Multi<R> serverStream(Q request, Context trace, BiConsumer<Q, StreamObserver<R>> call) {
        return Multi.createFrom().emitter(emitter -> {
            RequestLogContext context = RequestLogContext.capture();
            start(trace, call, request, new ClientResponseObserver<Q, R>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<Q> stream) {
                    emitter.onTermination(() -> stream.cancel("client went away", null));
                }

                @Override
                public void onNext(R value) {
                    context.run(() -> emitter.emit(value));
                }

                @Override
                public void onError(Throwable error) {
                    if (!emitter.isCancelled()) { // else it is the echo of our own cancel
                        context.run(() -> emitter.fail(error));
                    }
                }

                @Override
                public void onCompleted() {
                    context.run(emitter::complete);
                }
            });
        });
    }

    static <Q, R> Uni<R> unary(Q request, Context trace, BiConsumer<Q, StreamObserver<R>> call) {
        AtomicReference<ClientCallStreamObserver<Q>> started = new AtomicReference<>();
        Uni<R> response = Uni.createFrom().emitter(emitter -> {
            RequestLogContext context = RequestLogContext.capture();
            start(trace, call, request, new ClientResponseObserver<Q, R>() {
                private R response;

                @Override
                public void beforeStart(ClientCallStreamObserver<Q> stream) {
                    started.set(stream);
                }

                @Override
                public void onNext(R value) {
                    response = value;
                }

                @Override
                public void onError(Throwable error) {
                    context.run(() -> emitter.fail(error)); // ignored by a cancelled Uni
                }

                @Override
                public void onCompleted() {
                    context.run(() -> emitter.complete(response));
                }
            });
        });
        return response.onCancellation().invoke(() -> {
            ClientCallStreamObserver<Q> stream = started.get();
            if (stream != null) {
                stream.cancel("client went away", null);
            }
        });
    }

    private static <Q, R> void start(Context trace, BiConsumer<Q, StreamObserver<R>> call, Q request,
            StreamObserver<R> observer) {
        try (var scope = trace.makeCurrent()) {
            call.accept(request, observer);
        }
    }
}
