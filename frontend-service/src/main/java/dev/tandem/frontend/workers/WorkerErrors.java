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

    /**
     * Whether a failed worker call may be run again elsewhere: the worker went away (UNAVAILABLE: unreachable,
     * stream dropped, draining) or lost the KV it was to start from (ABORTED). Errors already turned into API
     * errors (no worker left, a refusal) are final.
     */
    public static boolean isMigratable(Throwable error) {
        if (error instanceof OpenAiException) {
            return false;
        }
        Status.Code code = Status.fromThrowable(error).getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.ABORTED;
    }

    /** What a worker's failure says, for a message. */
    public static String describe(Throwable error) {
        if (error instanceof OpenAiException) {
            return error.getMessage();
        }
        Status status = Status.fromThrowable(error);
        return status.getDescription() != null ? status.getCode() + ": " + status.getDescription() : status.getCode().toString();
    }

    public static Throwable toApiError(Throwable error) {
        if (error instanceof OpenAiException) {
            return error;
        }
        Status status = Status.fromThrowable(error);
        String detail = status.getDescription() != null ? status.getDescription() : status.getCode().toString();
        return switch (status.getCode()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> OpenAiException.badRequest(null, detail);
            case RESOURCE_EXHAUSTED -> OpenAiException.busy(ALL_BUSY + ", please retry later: " + detail, 1);
            case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED -> OpenAiException.workerUnavailable("No worker reachable: " + detail);
            default -> {
                LOG.errorf(error, "Worker call failed");
                yield OpenAiException.internal("worker error: " + detail);
            }
        };
    }
}
