package dev.tandem.frontend.routing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The frontend as configured for Kubernetes ({@code TANDEM_DECODE_WORKERS=stork://decode}, Stork's DNS discovery),
 * against a real DNS server: decode workers appear and disappear from the directory as the name's A records change,
 * without a restart.
 */
@QuarkusTest
@WithTestResource(DnsDiscoveryTest.Dns.class)
class DnsDiscoveryTest {

    static final String NAME = "tandem-decode.tandem.svc.cluster.local";
    static FakeDnsServer server;

    public static class Dns implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                server = new FakeDnsServer();
            } catch (SocketException e) {
                throw new IllegalStateException(e);
            }
            server.answer(NAME, List.of("127.0.0.1"));
            return Map.of(
                    "tandem.decode-workers", "stork://decode",
                    "quarkus.stork.decode.service-discovery.hostname", NAME,
                    "quarkus.stork.decode.service-discovery.dns-servers", "127.0.0.1:" + server.port(),
                    "quarkus.stork.decode.service-discovery.port", "19781",
                    "quarkus.stork.decode.service-discovery.refresh-period", "1s");
        }

        @Override
        public void stop() {
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Inject
    WorkerDirectory directory;

    private List<String> decodeWorkers() {
        return directory.all(WorkerRole.DECODE).stream().map(WorkerEndpoint::address).toList();
    }

    /** The decode workers once they are {@code expected}, or as they are when {@code timeout} has passed. */
    private List<String> decodeWorkersWithin(Duration timeout, List<String> expected) {
        try {
            return await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(this::decodeWorkers, expected::equals);
        } catch (ConditionTimeoutException e) {
            return decodeWorkers();
        }
    }

    @Test
    void workersFollowTheServicesDnsRecords() {
        assertEquals(List.of("127.0.0.1:19781"), decodeWorkersWithin(Duration.ofSeconds(10), List.of("127.0.0.1:19781")));

        server.answer(NAME, List.of("127.0.0.1", "127.0.0.2"));
        assertEquals(List.of("127.0.0.1:19781", "127.0.0.2:19781"),
                decodeWorkersWithin(Duration.ofSeconds(10), List.of("127.0.0.1:19781", "127.0.0.2:19781")));

        server.answer(NAME, List.of("127.0.0.2"));
        assertEquals(List.of("127.0.0.2:19781"), decodeWorkersWithin(Duration.ofSeconds(10), List.of("127.0.0.2:19781")));
    }
}
