package dev.tandem.model.telemetry;

import java.util.List;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;

/**
 * Dynamo's switch for trace export, {@code OTEL_EXPORT_ENABLED}: off by default. Off, spans are not sampled,
 * so nothing is sent to a collector that is not there; trace context is still created and propagated, so logs
 * and gRPC calls keep their trace ids.
 *
 * <p>On, a trace starts only at a server span (an HTTP request; Quarkus drops the suppressed system routes such
 * as {@code /metrics} before this sampler sees them) and everything under it follows its parent. Background
 * work that starts a trace of its own, such as the frontend's load polls of its workers, is not exported.
 */
public class TraceSampling {

    @Produces
    @Singleton
    Sampler sampler(@ConfigProperty(name = "OTEL_EXPORT_ENABLED", defaultValue = "false") boolean exportEnabled) {
        return exportEnabled ? Sampler.parentBased(new ServerRoots()) : Sampler.alwaysOff();
    }

    /** Samples a trace that starts at a server span, drops one that starts anywhere else. */
    static final class ServerRoots implements Sampler {

        @Override
        public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                Attributes attributes, List<LinkData> parentLinks) {
            return spanKind == SpanKind.SERVER ? SamplingResult.recordAndSample() : SamplingResult.drop();
        }

        @Override
        public String getDescription() {
            return "ServerRoots";
        }
    }
}
