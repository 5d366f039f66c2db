package dev.tandem.prefill.kv;

import static dev.tandem.testing.worker.WorkerClient.greedy;
import static dev.tandem.testing.worker.WorkerClient.ids;
import static dev.tandem.testing.worker.WorkerClient.prompt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tandem.protocol.grpc.KvHandle;
import dev.tandem.protocol.grpc.PrefillRequest;
import dev.tandem.protocol.grpc.PullKvRequest;
import dev.tandem.testing.worker.WorkerClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** A KV handle that no decode worker pulls (the decode worker died, the client left) must not hold KV forever. */
@QuarkusTest
@TestProfile(KvHandleExpiryTest.ShortHandleTimeout.class)
class KvHandleExpiryTest {

    public static class ShortHandleTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tandem.prefill.kv-handle-timeout", "300ms");
        }
    }


    @Test
    void aHandleNeverPulledIsFreed() throws InterruptedException {
        try (WorkerClient client = WorkerClient.connect()) {
            KvHandle handle = client.prefill().prefill(PrefillRequest.newBuilder()
                    .setRequestId("never-pulled")
                    .addAllPromptTokenIds(ids(prompt(40, 1)))
                    .setSampling(greedy(16))
                    .build()).getKvHandle();
            assertEquals(3, handle.getNumBlocks());

            // 300 ms timeout, swept every 100 ms: a few seconds is ample even on a busy machine.
            client.awaitInfo("the unpulled handle expires", Duration.ofSeconds(5),
                    info -> info.getPendingKvHandles() == 0 && info.getKvUsedBlocks() == 0);

            StatusRuntimeException late = assertThrows(StatusRuntimeException.class, () -> client.prefill()
                    .pullKv(PullKvRequest.newBuilder().setHandleId(handle.getHandleId()).build()).hasNext());
            assertEquals(Status.Code.NOT_FOUND, late.getStatus().getCode());
            assertTrue(late.getStatus().getDescription().contains("expired"), late.getStatus().getDescription());
        }
    }
}
