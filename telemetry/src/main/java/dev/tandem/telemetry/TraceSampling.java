package dev.tandem.telemetry;

import java.util.List;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;

/**
 * Dynamo's switch for trace export, {@code OTEL_EXPORT_ENABLED}, off by default. Traces start only at server
 * spans (requests), so background calls such as the frontend's worker polling make none. On, those traces are
 * sampled and exported. Off, they are recorded but not sampled: nothing is sent to a collector that is not
 * there, yet trace context propagates and log lines get their span's ids, name and fields, as Dynamo's
 * local-only traces do.
 */
public class TraceSampling {

    @Produces
    @Singleton
    Sampler sampler(@ConfigProperty(name = "OTEL_EXPORT_ENABLED", defaultValue = "false") boolean exportEnabled) {
        return exportEnabled ? Sampler.parentBased(new ServerRoots(SamplingResult.recordAndSample()))
                : new RecordOnly(new ServerRoots(SamplingResult.recordOnly()));
    }

    /** For a root span: {@code decision} for a server span, drop anything else. */
    record ServerRoots(SamplingResult decision) implements Sampler {

        @Override
        public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                Attributes attributes, List<LinkData> parentLinks) {
            return spanKind == SpanKind.SERVER ? decision : SamplingResult.drop();
        }

        @Override
        public String getDescription() {
            return "ServerRoots";
        }
    }

    /** Records every span under a recorded or remote parent, never samples; roots as {@code roots} says. */
    record RecordOnly(Sampler roots) implements Sampler {

        @Override
        public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                Attributes attributes, List<LinkData> parentLinks) {
            Span parent = Span.fromContext(parentContext);
            if (!parent.getSpanContext().isValid()) {
                return roots.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
            }
            return parent.getSpanContext().isRemote() || parent.isRecording() ? SamplingResult.recordOnly()
                    : SamplingResult.drop();
        }

        @Override
        public String getDescription() {
            return "RecordOnly{" + roots.getDescription() + "}";
        }
    }
}
