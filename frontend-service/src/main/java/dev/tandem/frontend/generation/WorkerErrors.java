package dev.tandem.frontend.generation;

import org.jboss.logging.Logger;

import dev.tandem.frontend.openai.OpenAiException;
import io.grpc.Status;

/** What a worker's gRPC failure means to an API client. */
final class WorkerErrors {

    private static final Logger LOG = Logger.getLogger(WorkerErrors.class);

    private WorkerErrors() {
    }

    static boolean isUnreachable(Throwable error) {
        return Status.fromThrowable(error).getCode() == Status.Code.UNAVAILABLE;
    }

    static Throwable toApiError(Throwable error) {
        if (error instanceof OpenAiException) {
            return error;
        }
        Status status = Status.fromThrowable(error);
        String detail = status.getDescription() != null ? status.getDescription() : status.getCode().toString();
        return switch (status.getCode()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> OpenAiException.badRequest(null, detail);
            case RESOURCE_EXHAUSTED -> OpenAiException.serviceUnavailable("All workers are busy, please retry later: " + detail);
            case UNAVAILABLE, DEADLINE_EXCEEDED -> OpenAiException.serviceUnavailable("No worker reachable: " + detail);
            default -> {
                LOG.errorf(error, "Worker call failed");
                yield OpenAiException.internal("worker error: " + detail);
            }
        };
    }
}
