package dev.tandem.frontend.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.smallrye.stork.Stork;

/**
 * Turns a role's configured worker entries into gRPC addresses. An entry is either an address ({@code host:port}),
 * taken as it is, or {@code stork://<service>}: the instances SmallRye Stork finds for that service
 * ({@code quarkus.stork.<service>.*}; in Kubernetes, the DNS A records of a headless Service, one per ready pod).
 * Services are looked up again on every refresh, so workers come and go without a frontend restart.
 */
public final class WorkerDiscovery {

    private static final Logger LOG = Logger.getLogger(WorkerDiscovery.class);
    static final String STORK_SCHEME = "stork://";

    private final Function<String, List<String>> lookUp;
    /** Each service's last answer, kept while a lookup fails so that a DNS hiccup does not drop live workers. */
    private final Map<String, List<String>> lastKnown = new ConcurrentHashMap<>();
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();

    /** @param lookUp a service name to the {@code host:port} of each of its instances; may throw */
    WorkerDiscovery(Function<String, List<String>> lookUp) {
        this.lookUp = lookUp;
    }

    /** Discovery through the Stork instance Quarkus configured from {@code quarkus.stork.*}. */
    public static WorkerDiscovery stork(Duration timeout) {
        return new WorkerDiscovery(service -> Stork.getInstance().getService(service).getInstances()
                .await().atMost(timeout).stream()
                .map(instance -> address(instance.getHost(), instance.getPort()))
                .toList());
    }

    static String address(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    static boolean isService(String entry) {
        return entry.startsWith(STORK_SCHEME);
    }

    /** The addresses the entries stand for now, without duplicates, in the entries' order. */
    List<String> resolve(List<String> entries) {
        return expand(entries, true);
    }

    /** The addresses given as such, without looking services up (what is known before the first refresh). */
    List<String> fixed(List<String> entries) {
        return expand(entries, false);
    }

    private List<String> expand(List<String> entries, boolean lookUpServices) {
        List<String> addresses = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            if (!isService(entry)) {
                addresses.add(entry);
            } else if (lookUpServices) {
                addresses.addAll(instances(entry.substring(STORK_SCHEME.length())));
            }
        }
        return addresses.stream().distinct().toList();
    }

    private List<String> instances(String service) {
        try {
            List<String> found = List.copyOf(lookUp.apply(service));
            lastKnown.put(service, found);
            if (failing.remove(service) != null) {
                LOG.infof("Worker discovery for %s works again: %d instances", service, found.size());
            }
            return found;
        } catch (RuntimeException e) {
            if (failing.put(service, Boolean.TRUE) == null) {
                LOG.warnf("Worker discovery for %s failed, keeping its last %d instances: %s", service,
                        lastKnown.getOrDefault(service, List.of()).size(), e.getMessage());
            }
            return lastKnown.getOrDefault(service, List.of());
        }
    }
}
