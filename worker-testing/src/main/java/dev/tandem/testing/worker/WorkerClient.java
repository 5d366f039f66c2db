package dev.tandem.testing.worker;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.microprofile.config.ConfigProvider;

import dev.tandem.protocol.grpc.CancelRequest;
import dev.tandem.protocol.grpc.DecodeWorkerGrpc;
import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.protocol.grpc.GenerateResponse;
import dev.tandem.protocol.grpc.InfoRequest;
import dev.tandem.protocol.grpc.PrefillWorkerGrpc;
import dev.tandem.protocol.grpc.SamplingParams;
import dev.tandem.protocol.grpc.TokenTiming;
import dev.tandem.protocol.grpc.WorkerGrpc;
import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.protocol.grpc.WorkerRole;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * A plain gRPC client of the worker under test (prefill or decode), on its own gRPC server's port, the way a
 * frontend or a decode worker reaches it rather than through Quarkus' own client injection.
 */
public final class WorkerClient implements AutoCloseable {

    /** How often the waits below look again. */
    private static final Duration POLL = Duration.ofMillis(10);

    /** What a Generate stream delivered: its tokens, their timings, and how it ended. */
    public record Generation(List<Integer> tokens, List<TokenTiming> timings, List<GenerateResponse> messages,
            FinishReason finishReason) {

        /** Token timings report the batch size of the step that produced each token. */
        public boolean anyStepWithBatchSize(int size) {
            return timings.stream().anyMatch(timing -> timing.getBatchSize() == size);
        }
    }

    /** A Generate stream in progress: tokens so far, the outcome once it ends, and a way to leave it. */
    public static final class Stream implements ClientResponseObserver<GenerateRequest, GenerateResponse> {

        private final List<GenerateResponse> messages = new ArrayList<>();
        private final CompletableFuture<Generation> done = new CompletableFuture<>();
        private volatile ClientCallStreamObserver<GenerateRequest> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<GenerateRequest> requestStream) {
            this.call = requestStream;
        }

        @Override
        public synchronized void onNext(GenerateResponse message) {
            messages.add(message);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        @Override
        public void onCompleted() {
            done.complete(generation());
        }

        public synchronized Generation generation() {
            List<Integer> tokens = new ArrayList<>();
            List<TokenTiming> timings = new ArrayList<>();
            FinishReason finish = FinishReason.FINISH_REASON_UNSPECIFIED;
            for (GenerateResponse message : messages) {
                tokens.addAll(message.getTokenIdsList());
                timings.addAll(message.getTokenTimingsList());
                if (message.getFinishReason() != FinishReason.FINISH_REASON_UNSPECIFIED) {
                    finish = message.getFinishReason();
                }
            }
            return new Generation(tokens, timings, List.copyOf(messages), finish);
        }

        public synchronized int tokenCount() {
            return messages.stream().mapToInt(GenerateResponse::getTokenIdsCount).sum();
        }

        /** Waits until the stream has produced {@code tokens} tokens; fails at once if it ends before. */
        public void awaitTokens(int tokens, Duration timeout) {
            try {
                Awaitility.await().atMost(timeout).pollInterval(POLL).until(() -> {
                    if (tokenCount() >= tokens) {
                        return true;
                    }
                    if (done.isDone()) {
                        fail("the stream ended after " + tokenCount() + " tokens, before " + tokens + ": " + done);
                    }
                    return false;
                });
            } catch (ConditionTimeoutException e) {
                fail("the stream produced " + tokenCount() + " of " + tokens + " tokens within " + timeout);
            }
        }

        /** The stream's outcome; throws the stream's error as the cause of an ExecutionException. */
        public Generation await(Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
            return done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** The client leaves: gRPC cancels the call, as when the frontend's HTTP client disconnects. */
        public void cancelCall() {
            call.cancel("the client left", null);
        }
    }

    private final ManagedChannel channel;

    private WorkerClient(ManagedChannel channel) {
        this.channel = channel;
    }

    /**
     * The worker's gRPC server port under test (its own server, beside the HTTP system port). The tests ask for a
     * free one ({@code quarkus.grpc.server.test-port=0}); once the server listens, Quarkus puts the port it got
     * into this property.
     */
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

    public boolean cancel(String requestId) {
        return worker().cancel(CancelRequest.newBuilder().setRequestId(requestId).build()).getFound();
    }

    /** Starts a Generate stream on a decode worker without waiting for it. */
    public Stream start(GenerateRequest request) {
        Stream stream = new Stream();
        DecodeWorkerGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).generate(request, stream);
        return stream;
    }

    /** Runs a Generate stream to its end. */
    public Generation generate(GenerateRequest request) throws Exception {
        try {
            return start(request).await(Duration.ofSeconds(30));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Polls Info until {@code condition} holds; fails with the last Info seen after {@code timeout}. */
    public WorkerInfo awaitInfo(String what, Duration timeout, Predicate<WorkerInfo> condition) {
        AtomicReference<WorkerInfo> last = new AtomicReference<>();
        try {
            return Awaitility.await().atMost(timeout).pollInterval(POLL).pollDelay(Duration.ZERO)
                    .until(() -> {
                        last.set(info());
                        return last.get();
                    }, condition::test);
        } catch (ConditionTimeoutException e) {
            return fail("within " + timeout + ": " + what + "; last Info: " + last.get());
        }
    }

    /**
     * What every test must leave behind. A decode worker: no sequence runs, waits or holds KV. A prefill worker:
     * it holds no KV and no handle.
     */
    public WorkerInfo awaitIdle() {
        if (info().getRole() == WorkerRole.WORKER_ROLE_PREFILL) {
            return awaitInfo("no KV blocks used and no KV handle pending", Duration.ofSeconds(3),
                    info -> info.getKvUsedBlocks() == 0 && info.getPendingKvHandles() == 0);
        }
        WorkerInfo info = awaitInfo("no KV blocks used, nothing running or queued", Duration.ofSeconds(3),
                i -> i.getKvUsedBlocks() == 0 && i.getInflightRequests() == 0 && i.getQueuedRequests() == 0);
        assertTrue(info.getKvTotalBlocks() > 0);
        return info;
    }

    /** {@code length} token ids of the synthetic byte-level vocabulary (its byte tokens are 3..258). */
    public static int[] prompt(int length, int salt) {
        return IntStream.range(0, length).map(i -> 3 + (i * 7 + salt * 13) % 256).toArray();
    }

    public static Iterable<Integer> ids(int[] tokens) {
        return IntStream.of(tokens).boxed().toList();
    }

    public static GenerateRequest request(String requestId, int[] prompt, SamplingParams sampling) {
        return GenerateRequest.newBuilder()
                .setRequestId(requestId)
                .addAllPromptTokenIds(IntStream.of(prompt).boxed().toList())
                .setSampling(sampling)
                .build();
    }

    /** Greedy; {@code ignore_eos} so the synthetic model's arbitrary tokens cannot end a sequence early. */
    public static SamplingParams greedy(int maxTokens) {
        return SamplingParams.newBuilder().setTemperature(0).setMaxTokens(maxTokens).setIgnoreEos(true).build();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
