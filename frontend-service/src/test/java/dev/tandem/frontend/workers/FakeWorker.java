package dev.tandem.frontend.workers;

import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;

import dev.tandem.frontend.routing.WorkerEndpoint;
import dev.tandem.protocol.grpc.CancelRequest;
import dev.tandem.protocol.grpc.CancelResponse;
import dev.tandem.protocol.grpc.DecodeWorkerGrpc;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.protocol.grpc.GenerateResponse;
import dev.tandem.protocol.grpc.PrefillRequest;
import dev.tandem.protocol.grpc.PrefillResponse;
import dev.tandem.protocol.grpc.PrefillWorkerGrpc;
import dev.tandem.protocol.grpc.WorkerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * A worker for the clients' tests: a real gRPC server on a free loopback port whose Generate and Prefill answer as
 * the test says, and which records the Cancel calls and cancelled streams it sees.
 */
final class FakeWorker implements AutoCloseable {

    final Queue<String> cancelled = new ConcurrentLinkedQueue<>();
    final CountDownLatch cancelCalled = new CountDownLatch(1);
    final CountDownLatch streamCancelled = new CountDownLatch(1);
    volatile int generateCalls;
    private final Server server;
    private final ManagedChannel channel;
    final WorkerEndpoint endpoint;

    FakeWorker(BiConsumer<GenerateRequest, ServerCallStreamObserver<GenerateResponse>> generate,
            BiConsumer<PrefillRequest, StreamObserver<PrefillResponse>> prefill) throws IOException {
        server = NettyServerBuilder.forPort(0)
                .addService(new DecodeWorkerGrpc.DecodeWorkerImplBase() {
                    @Override
                    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> observer) {
                        generateCalls++;
                        var call = (ServerCallStreamObserver<GenerateResponse>) observer;
                        call.setOnCancelHandler(streamCancelled::countDown);
                        generate.accept(request, call);
                    }
                })
                .addService(new PrefillWorkerGrpc.PrefillWorkerImplBase() {
                    @Override
                    public void prefill(PrefillRequest request, StreamObserver<PrefillResponse> observer) {
                        prefill.accept(request, observer);
                    }
                })
                .addService(new WorkerGrpc.WorkerImplBase() {
                    @Override
                    public void cancel(CancelRequest request, StreamObserver<CancelResponse> observer) {
                        cancelled.add(request.getRequestId());
                        observer.onNext(CancelResponse.newBuilder().setFound(true).build());
                        observer.onCompleted();
                        cancelCalled.countDown();
                    }
                })
                .build().start();
        String address = "127.0.0.1:" + server.getPort();
        channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
        endpoint = new WorkerEndpoint(address, channel);
    }

    /** An endpoint nothing listens on: its calls fail UNAVAILABLE. */
    static WorkerEndpoint unreachable() throws IOException {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String address = "127.0.0.1:" + port;
        return new WorkerEndpoint(address, NettyChannelBuilder.forTarget(address).usePlaintext().build());
    }

    static GenerateResponse tokens(Integer... ids) {
        return GenerateResponse.newBuilder().addAllTokenIds(List.of(ids)).build();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
    }
}
