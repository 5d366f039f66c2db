package dev.tandem.decode;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import dev.tandem.protocol.grpc.CancelRequest;
import dev.tandem.protocol.grpc.DecodeWorkerGrpc;
import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.protocol.grpc.GenerateRequest;
import dev.tandem.protocol.grpc.GenerateResponse;
import dev.tandem.protocol.grpc.InfoRequest;
import dev.tandem.protocol.grpc.SamplingParams;
import dev.tandem.protocol.grpc.TokenTiming;
import dev.tandem.protocol.grpc.WorkerGrpc;
import dev.tandem.protocol.grpc.WorkerInfo;
import org.eclipse.microprofile.config.ConfigProvider;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * A plain gRPC client of the decode worker under test, on the port Quarkus picked for HTTP (gRPC shares it), the
 * way the frontend reaches it.
 */
public final class WorkerClient implements AutoCloseable {

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

        /** Waits, polling, until the stream has produced {@code tokens} tokens. */
        public void awaitTokens(int tokens, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (tokenCount() < tokens) {
                if (done.isDone()) {
                    fail("the stream ended after " + tokenCount() + " tokens, before " + tokens + ": " + done);
                }
                if (System.nanoTime() > deadline) {
                    fail("the stream produced " + tokenCount() + " of " + tokens + " tokens within " + timeout);
                }
                pause();
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

    /** The worker's gRPC server port under test (its own server, beside the HTTP system port). */
    public static int grpcPort() {
        return ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
    }

    public static WorkerClient connect() {
        return new WorkerClient(ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort()).usePlaintext().build());
    }

    public WorkerGrpc.WorkerBlockingStub worker() {
        return WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    public WorkerInfo info() {
        return worker().info(InfoRequest.getDefaultInstance());
    }

    public boolean cancel(String requestId) {
        return worker().cancel(CancelRequest.newBuilder().setRequestId(requestId).build()).getFound();
    }

    /** Starts a Generate stream without waiting for it. */
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
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            WorkerInfo info = info();
            if (condition.test(info)) {
                return info;
            }
            if (System.nanoTime() > deadline) {
                fail("within " + timeout + ": " + what + "; last Info: " + info);
            }
            pause();
        }
    }

    /** No sequence runs, waits or holds KV: what every test must leave behind. */
    public WorkerInfo awaitIdle() {
        WorkerInfo info = awaitInfo("no KV blocks used, nothing running or queued", Duration.ofSeconds(3),
                i -> i.getKvUsedBlocks() == 0 && i.getInflightRequests() == 0 && i.getQueuedRequests() == 0);
        assertTrue(info.getKvTotalBlocks() > 0);
        return info;
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@code length} token ids of the synthetic byte-level vocabulary (its byte tokens are 3..258). */
    public static int[] prompt(int length, int salt) {
        return IntStream.range(0, length).map(i -> 3 + (i * 7 + salt * 13) % 256).toArray();
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
