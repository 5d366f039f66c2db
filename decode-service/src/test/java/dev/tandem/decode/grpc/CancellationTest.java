package dev.tandem.decode.grpc;

import static dev.tandem.testing.worker.WorkerClient.greedy;
import static dev.tandem.testing.worker.WorkerClient.prompt;
import static dev.tandem.testing.worker.WorkerClient.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tandem.decode.batching.ContinuousBatcher;
import dev.tandem.protocol.grpc.FinishReason;
import dev.tandem.testing.worker.WorkerClient;
import dev.tandem.testing.worker.WorkerClient.Generation;
import dev.tandem.testing.worker.WorkerClient.Stream;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A request the frontend gives up on (its client disconnected, a stop string matched) stops decoding and frees its
 * KV, whether the worker hears of it through Worker.Cancel or through the gRPC call being cancelled.
 */
@QuarkusTest
class CancellationTest {

    /** Far more than a test waits for before cancelling: the stream is still running when it is cancelled. */
    private static final int LONG = 1500;

    /** ContinuousBatcher's log line for a sequence it drops because it was cancelled. */
    private static final Pattern REAPED = Pattern.compile("Request (\\S+) cancelled after \\d+ tokens");

    private final Set<String> reapedRequests = ConcurrentHashMap.newKeySet();

    /**
     * The batcher's "Request X cancelled after N tokens" lines: the worker's own word that it dropped a sequence
     * because it was cancelled. A 1500-token stream ends by itself in about a second, freeing its KV just the same,
     * so "KV freed" alone cannot tell a seen cancellation from a stream that simply ran out.
     */
    private final Handler reaped = new Handler() {
        @Override
        public void publish(LogRecord record) {
            Matcher line = REAPED.matcher(String.valueOf(record.getMessage()));
            if (line.lookingAt()) {
                reapedRequests.add(line.group(1));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger batcherLog = Logger.getLogger(ContinuousBatcher.class.getName());


    private WorkerClient client;

    @BeforeEach
    void connect() {
        client = WorkerClient.connect();
        batcherLog.addHandler(reaped);
    }

    @AfterEach
    void close() throws InterruptedException {
        batcherLog.removeHandler(reaped);
        client.close();
    }

    @Test
    void workerCancelEndsTheStreamAndFreesItsKv() throws Exception {
        Stream stream = client.start(request("cancel-rpc", prompt(40, 1), greedy(LONG)));
        stream.awaitTokens(5, Duration.ofSeconds(10));
        assertTrue(client.info().getKvUsedBlocks() > 0, "the running sequence holds KV");

        assertTrue(client.cancel("cancel-rpc"), "the worker knows the request");

        ExecutionException ended = assertThrows(ExecutionException.class, () -> stream.await(Duration.ofSeconds(5)));
        StatusRuntimeException status = assertInstanceOf(StatusRuntimeException.class, ended.getCause());
        assertEquals(Status.Code.CANCELLED, status.getStatus().getCode());
        assertTrue(stream.tokenCount() < LONG, "stopped early, after " + stream.tokenCount() + " tokens");
        assertTrue(reapedRequests.contains("cancel-rpc"));
        client.awaitInfo("the cancelled sequence's KV is freed", Duration.ofSeconds(2),
                info -> info.getKvUsedBlocks() == 0 && info.getInflightRequests() == 0);
        assertFalse(client.cancel("cancel-rpc"), "nothing left to cancel");
    }

    @Test
    void aClientThatLeavesFreesItsKv() throws InterruptedException {
        Stream stream = client.start(request("cancel-call", prompt(40, 2), greedy(LONG)));
        stream.awaitTokens(5, Duration.ofSeconds(10));

        stream.cancelCall();

        awaitReaped("cancel-call", Duration.ofSeconds(2));
        // Info on a channel of its own: the abandoned call's connection may not survive the worker's late reply.
        try (WorkerClient other = WorkerClient.connect()) {
            other.awaitInfo("the abandoned sequence's KV is freed", Duration.ofSeconds(2),
                    info -> info.getKvUsedBlocks() == 0 && info.getInflightRequests() == 0);
        }
    }

    @Test
    void cancellingOneStreamLeavesTheOthersOnTheConnectionAlone() throws Exception {
        Stream bystander = client.start(request("bystander", prompt(40, 3), greedy(LONG)));
        Stream leaving = client.start(request("leaving", prompt(40, 4), greedy(LONG)));
        leaving.awaitTokens(5, Duration.ofSeconds(10));

        // What the frontend does when its HTTP client disconnects.
        leaving.cancelCall();
        client.cancel("leaving");

        Generation generation = bystander.await(Duration.ofSeconds(30));
        assertEquals(LONG, generation.tokens().size());
        assertEquals(FinishReason.FINISH_REASON_LENGTH, generation.finishReason());
        client.awaitIdle();
    }

    @Test
    void cancellingAnUnknownRequestFindsNothing() {
        assertFalse(client.cancel("never-seen"));
    }

    private void awaitReaped(String requestId, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(10)).until(() -> reapedRequests.contains(requestId));
        } catch (ConditionTimeoutException e) {
            fail("the worker did not drop " + requestId + " within " + timeout + "; it dropped " + List.copyOf(reapedRequests));
        }
    }
}
