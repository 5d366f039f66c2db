package dev.tandem.frontend.workers;

import org.jboss.logging.Logger;

import dev.tandem.frontend.openai.OpenAiException;
import io.grpc.Status;

/** What a worker's gRPC failure means to an API client. */
public final class WorkerErrors {

    /** How a refusal by busy workers (gRPC RESOURCE_EXHAUSTED) starts its message. */
    public static final String ALL_BUSY = "All workers are busy";

    private static final Logger LOG = Logger.getLogger(WorkerErrors.class);

    private WorkerErrors() {
    }

    /** Whether an API error is busy workers refusing the request. */
    public static boolean isRejection(Throwable error) {
        return error instanceof OpenAiException api && api.getMessage() != null && api.getMessage().startsWith(ALL_BUSY);
    }

    public static boolean isUnreachable(Throwable error) {
        return Status.fromThrowable(error).getCode() == Status.Code.UNAVAILABLE;
    }

    public static Throwable toApiError(Throwable error) {
        if (error instanceof OpenAiException) {
            return error;
        }
        Status status = Status.fromThrowable(error);
        String detail = status.getDescription() != null ? status.getDescription() : status.getCode().toString();
        return switch (status.getCode()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> OpenAiException.badRequest(null, detail);
            case RESOURCE_EXHAUSTED -> OpenAiException.serviceUnavailable(ALL_BUSY + ", please retry later: " + detail);
            case UNAVAILABLE, DEADLINE_EXCEEDED -> OpenAiException.serviceUnavailable("No worker reachable: " + detail);
            default -> {
                LOG.errorf(error, "Worker call failed");
                yield OpenAiException.internal("worker error: " + detail);
            }
        };
    }
}
