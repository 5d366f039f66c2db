package dev.tandem.frontend.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;

/**
 * An OTLP/gRPC collector in the test: the trace and logs services of the OTLP protocol on a plain grpc-java server,
 * keeping what the services export.
 */
final class OtlpReceiver implements AutoCloseable {

    record ExportedSpan(String service, String traceId, String spanId, String parentSpanId, String name, String kind,
            Map<String, String> attributes) {

        String attribute(String key) {
            return attributes.get(key);
        }
    }

    record ExportedLog(String service, String traceId, String spanId, String severity, String body,
            Map<String, String> attributes) {
    }

    private final List<ExportedSpan> spans = new CopyOnWriteArrayList<>();
    private final List<ExportedLog> logs = new CopyOnWriteArrayList<>();
    private final Server server;

    private OtlpReceiver() {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> response) {
                        request.getResourceSpansList().forEach(resource -> resource.getScopeSpansList()
                                .forEach(scope -> scope.getSpansList().forEach(span -> spans.add(new ExportedSpan(
                                        serviceName(resource.getResource()), hex(span.getTraceId()), hex(span.getSpanId()),
                                        hex(span.getParentSpanId()), span.getName(), span.getKind().name(),
                                        attributes(span.getAttributesList()))))));
                        response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                        response.onCompleted();
                    }
                })
                .addService(new LogsServiceGrpc.LogsServiceImplBase() {
                    @Override
                    public void export(ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> response) {
                        request.getResourceLogsList().forEach(resource -> resource.getScopeLogsList()
                                .forEach(scope -> scope.getLogRecordsList().forEach(log -> logs.add(new ExportedLog(
                                        serviceName(resource.getResource()), hex(log.getTraceId()), hex(log.getSpanId()),
                                        log.getSeverityText(), text(log.getBody()), attributes(log.getAttributesList()))))));
                        response.onNext(ExportLogsServiceResponse.getDefaultInstance());
                        response.onCompleted();
                    }
                })
                .build();
    }

    static OtlpReceiver start() {
        OtlpReceiver receiver = new OtlpReceiver();
        try {
            receiver.server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return receiver;
    }

    /** Where the services export to, as {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} takes it. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getPort();
    }

    List<ExportedSpan> spans() {
        return List.copyOf(spans);
    }

    List<ExportedLog> logs() {
        return List.copyOf(logs);
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String serviceName(Resource resource) {
        return attributes(resource.getAttributesList()).getOrDefault("service.name", "");
    }

    private static Map<String, String> attributes(List<KeyValue> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach(kv -> out.put(kv.getKey(), text(kv.getValue())));
        return out;
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> Long.toString(value.getIntValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            default -> value.toString();
        };
    }

    private static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }
}
