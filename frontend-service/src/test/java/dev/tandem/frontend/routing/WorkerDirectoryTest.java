package dev.tandem.frontend.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tandem.protocol.GrpcChannels;

/** Workers joining and leaving the directory as discovery's answers change, with fixed addresses alongside. */
class WorkerDirectoryTest {

    /** What the fake Stork answers per service; a missing service fails its lookup. */
    private final Map<String, List<String>> dns = new ConcurrentHashMap<>();
    private final WorkerDiscovery discovery = new WorkerDiscovery(service -> {
        List<String> found = dns.get(service);
        if (found == null) {
            throw new IllegalStateException("no answer for " + service);
        }
        return found;
    });
    private WorkerDirectory directory;

    private WorkerDirectory directory(List<String> prefill, List<String> decode) {
        directory = new WorkerDirectory(Map.of(WorkerRole.PREFILL, prefill, WorkerRole.DECODE, decode), discovery,
                new GrpcChannels(List.of()), Duration.ofMillis(100), info -> {
                });
        return directory;
    }

    @AfterEach
    void close() {
        if (directory != null) {
            directory.close();
        }
    }

    private static List<String> addresses(WorkerDirectory directory, WorkerRole role) {
        return directory.all(role).stream().map(WorkerEndpoint::address).toList();
    }

    @Test
    void fixedAddressesAreThereFromTheStart() {
        WorkerDirectory directory = directory(List.of(), List.of(" 127.0.0.1:9081", "127.0.0.1:9082", "127.0.0.1:9081", ""));
        assertEquals(List.of("127.0.0.1:9081", "127.0.0.1:9082"), addresses(directory, WorkerRole.DECODE));
        assertFalse(directory.hasRole(WorkerRole.PREFILL));
    }

    @Test
    void discoveredWorkersJoinAndLeaveOnRefresh() {
        dns.put("decode", List.of("10.0.0.1:9081"));
        WorkerDirectory directory = directory(List.of(), List.of("stork://decode"));
        // services are only looked up by a refresh, never while the application starts
        assertTrue(directory.all(WorkerRole.DECODE).isEmpty());

        directory.refresh();
        assertEquals(List.of("10.0.0.1:9081"), addresses(directory, WorkerRole.DECODE));
        WorkerEndpoint first = directory.all(WorkerRole.DECODE).getFirst();
        first.requestStarted();

        dns.put("decode", List.of("10.0.0.1:9081", "10.0.0.2:9081"));
        directory.refresh();
        assertEquals(List.of("10.0.0.1:9081", "10.0.0.2:9081"), addresses(directory, WorkerRole.DECODE));
        assertSame(first, directory.all(WorkerRole.DECODE).getFirst(), "a worker that stays keeps its state");
        assertEquals(2, directory.candidates(WorkerRole.DECODE).size());
        assertEquals("10.0.0.2:9081", directory.candidates(WorkerRole.DECODE).getFirst().address(),
                "the new, idle worker is the least loaded");

        dns.put("decode", List.of("10.0.0.2:9081"));
        directory.refresh();
        assertEquals(List.of("10.0.0.2:9081"), addresses(directory, WorkerRole.DECODE));

        dns.put("decode", List.of());
        directory.refresh();
        assertFalse(directory.hasRole(WorkerRole.DECODE));
    }

    @Test
    void prefillWorkersComingAndGoingSwitchBetweenDisaggregatedAndAggregated() {
        dns.put("prefill", List.of());
        WorkerDirectory directory = directory(List.of("stork://prefill"), List.of("127.0.0.1:9082"));
        directory.refresh();
        assertFalse(directory.hasRole(WorkerRole.PREFILL));
        dns.put("prefill", List.of("10.0.0.3:9081"));
        directory.refresh();
        assertTrue(directory.hasRole(WorkerRole.PREFILL));
        dns.put("prefill", List.of());
        directory.refresh();
        assertFalse(directory.hasRole(WorkerRole.PREFILL));
    }

    @Test
    void aFailedLookupKeepsTheLastAnswerAndFixedAddressesStay() {
        dns.put("decode", List.of("10.0.0.1:9081"));
        WorkerDirectory directory = directory(List.of(), List.of("127.0.0.1:9082", "stork://decode"));
        directory.refresh();
        assertEquals(List.of("127.0.0.1:9082", "10.0.0.1:9081"), addresses(directory, WorkerRole.DECODE));
        dns.remove("decode");
        directory.refresh();
        assertEquals(List.of("127.0.0.1:9082", "10.0.0.1:9081"), addresses(directory, WorkerRole.DECODE));
    }

    @Test
    void ipv6InstancesAreBracketed() {
        assertEquals("[fd00::1]:9081", WorkerDiscovery.address("fd00::1", 9081));
        assertEquals("10.0.0.1:9081", WorkerDiscovery.address("10.0.0.1", 9081));
    }
}
