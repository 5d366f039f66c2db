package dev.tandem.telemetry;

import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/**
 * How a request's {@code x-request-id} travels: HTTP header at the frontend, gRPC metadata between services,
 * {@code x_request_id} in the logging MDC (Dynamo's log field name).
 */
public final class RequestIds {

    public static final String HEADER = "x-request-id";
    public static final String MDC_KEY = "x_request_id";
    public static final Metadata.Key<String> METADATA_KEY = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
    /** Set by {@link RequestIdServerInterceptor} for the duration of an inbound call. */
    public static final Context.Key<String> CONTEXT_KEY = Context.key(MDC_KEY);

    private RequestIds() {
    }

    /** Attaches the request id to an outbound call's metadata. */
    public static ClientInterceptor attach(String requestId) {
        Metadata headers = new Metadata();
        headers.put(METADATA_KEY, requestId);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /** The request id of the inbound call being served on this thread, or null. */
    public static String current() {
        return CONTEXT_KEY.get();
    }
}
