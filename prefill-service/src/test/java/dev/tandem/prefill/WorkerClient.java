package dev.tandem.prefill;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import dev.tandem.protocol.grpc.InfoRequest;
import dev.tandem.protocol.grpc.PrefillWorkerGrpc;
import dev.tandem.protocol.grpc.SamplingParams;
import dev.tandem.protocol.grpc.WorkerGrpc;
import dev.tandem.protocol.grpc.WorkerInfo;
import org.eclipse.microprofile.config.ConfigProvider;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/**
 * A plain gRPC client of the worker under test, on its gRPC server's port, the way a
 * frontend or decode worker reaches it rather than through Quarkus' own client injection.
 */
public final class WorkerClient implements AutoCloseable {

    private final ManagedChannel channel;

    private WorkerClient(ManagedChannel channel) {
        this.channel = channel;
    }

    /** The worker's gRPC server port under test (its own server, beside the HTTP system port). */
    public static int grpcPort() {
        return ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
    }

    public static WorkerClient connect() {
        return new WorkerClient(ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort())
                .usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024)
                .build());
    }

    public WorkerGrpc.WorkerBlockingStub worker() {
        return WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    public PrefillWorkerGrpc.PrefillWorkerBlockingStub prefill() {
        return PrefillWorkerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    public PrefillWorkerGrpc.PrefillWorkerFutureStub prefillAsync() {
        return PrefillWorkerGrpc.newFutureStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    public WorkerInfo info() {
        return worker().info(InfoRequest.getDefaultInstance());
    }

    /** Polls Info until {@code condition} holds; fails with the last Info seen after {@code timeout}. */
    public WorkerInfo awaitInfo(String what, Duration timeout, Predicate<WorkerInfo> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            WorkerInfo info = info();
            if (condition.test(info)) {
                return info;
            }
            if (System.nanoTime() > deadline) {
                fail("within " + timeout + ": " + what + "; last Info: " + info);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for: " + what);
            }
        }
    }

    /** The worker holds no KV and no handle: what every test must leave behind. */
    public WorkerInfo awaitIdle() {
        return awaitInfo("no KV blocks used and no KV handle pending", Duration.ofSeconds(3),
                info -> info.getKvUsedBlocks() == 0 && info.getPendingKvHandles() == 0);
    }

    /** {@code length} token ids of the synthetic byte-level vocabulary (its byte tokens are 3..258). */
    public static int[] prompt(int length, int salt) {
        return IntStream.range(0, length).map(i -> 3 + (i * 7 + salt * 13) % 256).toArray();
    }

    public static Iterable<Integer> ids(int[] tokens) {
        return IntStream.of(tokens).boxed().toList();
    }

    /** Greedy; {@code ignore_eos} so the synthetic model's arbitrary first token cannot end the request early. */
    public static SamplingParams greedy(int maxTokens) {
        return SamplingParams.newBuilder().setTemperature(0).setMaxTokens(maxTokens).setIgnoreEos(true).build();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
