package dev.tandem.model.telemetry;

import java.util.List;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;

/**
 * Dynamo's switch for trace export, {@code OTEL_EXPORT_ENABLED}: off by default. Off, spans are not sampled,
 * so nothing is sent to a collector that is not there; trace context is still created and propagated, so logs
 * and gRPC calls keep their trace ids.
 */
public class TraceSampling {

    @Produces
    @Singleton
    Sampler sampler(@ConfigProperty(name = "OTEL_EXPORT_ENABLED", defaultValue = "false") boolean exportEnabled) {
        return exportEnabled ? Sampler.parentBased(Sampler.alwaysOn()) : RECORD_ONLY;
    }

    /**
     * Off, spans are still recorded (not sampled, so no exporter sends them): log lines get their span's name,
     * parent and fields, and {@code DYN_LOGGING_SPAN_EVENTS} sees them, as Dynamo's local-only traces do.
     */
    static final Sampler RECORD_ONLY = new Sampler() {
        @Override
        public SamplingResult shouldSample(io.opentelemetry.context.Context parentContext, String traceId, String name,
                SpanKind spanKind, Attributes attributes, List<LinkData> parentLinks) {
            return SamplingResult.recordOnly();
        }

        @Override
        public String getDescription() {
            return "RecordOnly";
        }
    };
}
