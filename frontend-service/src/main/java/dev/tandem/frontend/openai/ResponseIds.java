package dev.tandem.frontend.openai;

import java.util.UUID;

/** Response ids in Dynamo's shape: OpenAI's prefix naming the API, then the request's internal id. */
public final class ResponseIds {

    private ResponseIds() {
    }

    /** A fresh internal request id (a UUIDv4), for requests that bring none. */
    public static String newRequestId() {
        return UUID.randomUUID().toString();
    }

    public static String chat(String requestId) {
        return "chatcmpl-" + requestId;
    }

    public static String completion(String requestId) {
        return "cmpl-" + requestId;
    }
}
