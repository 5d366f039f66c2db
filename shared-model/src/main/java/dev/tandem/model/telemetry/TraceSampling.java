package dev.tandem.model.telemetry;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * Dynamo's switch for trace export, {@code OTEL_EXPORT_ENABLED}: off by default. Off, spans are not sampled,
 * so nothing is sent to a collector that is not there; trace context is still created and propagated, so logs
 * and gRPC calls keep their trace ids.
 */
public class TraceSampling {

    @Produces
    @Singleton
    Sampler sampler(@ConfigProperty(name = "OTEL_EXPORT_ENABLED", defaultValue = "false") boolean exportEnabled) {
        return exportEnabled ? Sampler.parentBased(Sampler.alwaysOn()) : Sampler.alwaysOff();
    }
}
