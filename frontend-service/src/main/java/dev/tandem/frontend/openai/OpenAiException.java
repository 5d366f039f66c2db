package dev.tandem.frontend.openai;

/**
 * An error the API reports to the client as an OpenAI error body. The {@code type} values follow
 * OpenAI's public API: every client-side problem (4xx) is {@code invalid_request_error}, every
 * server-side problem (5xx) is {@code server_error}; {@code code} narrows it down where OpenAI does
 * ({@code model_not_found}) or where a client may want to branch on it ({@code service_unavailable}).
 */
public final class OpenAiException extends RuntimeException {

    public static final String INVALID_REQUEST_ERROR = "invalid_request_error";
    public static final String SERVER_ERROR = "server_error";

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private int retryAfterSeconds;
    private boolean workersLost;

    public OpenAiException(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: the request is invalid; {@code param} names the offending field (null when none does). */
    public static OpenAiException badRequest(String param, String message) {
        return new OpenAiException(400, INVALID_REQUEST_ERROR, param, null, message);
    }

    /** 404 for something other than a model, e.g. an unknown route. */
    public static OpenAiException notFound(String message) {
        return new OpenAiException(404, INVALID_REQUEST_ERROR, null, null, message);
    }

    /** 404 for a model this server does not serve, worded as OpenAI words it. */
    public static OpenAiException modelNotFound(String model) {
        return new OpenAiException(404, INVALID_REQUEST_ERROR, "model", "model_not_found",
                "The model `" + model + "` does not exist.");
    }

    /** 503: the server cannot take the request now (no worker, overloaded); the client may retry. */
    public static OpenAiException serviceUnavailable(String message) {
        return new OpenAiException(503, SERVER_ERROR, null, "service_unavailable", message);
    }

    /**
     * 503 because every worker is busy (load shedding): the client should retry after {@code retryAfterSeconds}.
     * Dynamo's message, {@code All workers are busy, please retry later}.
     */
    public static OpenAiException busy(String message, int retryAfterSeconds) {
        OpenAiException error = new OpenAiException(503, SERVER_ERROR, null, "service_unavailable", message);
        error.retryAfterSeconds = retryAfterSeconds;
        return error;
    }

    /**
     * 503 because the workers a request needs are gone (lost, unreachable, or its migrations used up): not an
     * overload. Clients see OpenAI's {@code service_unavailable} and a message that says what happened; the
     * request's telemetry tells it apart from busy workers ({@link #workersLost()}).
     */
    public static OpenAiException workerUnavailable(String message) {
        OpenAiException error = new OpenAiException(503, SERVER_ERROR, null, "service_unavailable", message);
        error.workersLost = true;
        return error;
    }

    /** Whether this 503 is for lost or unreachable workers rather than busy ones. */
    public boolean workersLost() {
        return workersLost;
    }

    /** 500: a bug or an unexpected failure; the message must not leak internals. */
    public static OpenAiException internal(String message) {
        return new OpenAiException(500, SERVER_ERROR, null, null, message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** Seconds for a {@code Retry-After} header; 0 = none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
