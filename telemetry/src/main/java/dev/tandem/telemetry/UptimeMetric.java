package dev.tandem.telemetry;

import java.lang.management.ManagementFactory;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * {@code dynamo_component_uptime_seconds}, on the frontend and on every worker: the process' uptime, read at each
 * scrape. Dynamo exports it from the runtime's root registry, so it has none of the hierarchy labels.
 */
@Startup
@ApplicationScoped
public class UptimeMetric {

    public static final String NAME = "dynamo_component_uptime_seconds";

    public UptimeMetric(MeterRegistry registry) {
        Gauge.builder(NAME, () -> ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0)
                .description("Total uptime of the DistributedRuntime in seconds")
                .strongReference(true)
                .register(registry);
    }
}
