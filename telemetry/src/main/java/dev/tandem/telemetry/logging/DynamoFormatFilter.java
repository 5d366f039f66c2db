package dev.tandem.telemetry.logging;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Installs {@link DynamoLogFormatter} on the console handler when the first record reaches it
 * ({@code quarkus.log.console.filter=dynamo-format}): the handler's filter runs before its formatter, and before
 * any CDI bean exists, so every line of a run has Dynamo's format, Quarkus' first startup lines included. Lets
 * every record through but one kind: a client that went away while its stream was being written, which the REST
 * layer reports as an ERROR with a stack trace ("Exception in SSE server handling, impossible to send it to
 * client": a broken pipe or a reset connection). That is the client's choice, not a server error, and the frontend
 * logs it once, at INFO, where it cancels the request.
 */
@LoggingFilter(name = "dynamo-format")
public final class DynamoFormatFilter implements Filter {

    private final AtomicBoolean installed = new AtomicBoolean();

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!installed.get() && installed.compareAndSet(false, true)) {
            LoggingSetup.install(DynamoLogFormatter.of(LoggingSettings.current()));
        }
        return !clientGone(record);
    }

    static boolean clientGone(LogRecord record) {
        return record.getLoggerName() != null && record.getLoggerName().startsWith(CLIENT_WRITES)
                && record.getThrown() instanceof java.io.IOException;
    }

    /** Where Quarkus REST reports a failed write of a streamed response. */
    private static final String CLIENT_WRITES = "org.jboss.resteasy.reactive.server.handlers.PublisherResponseHandler";
}
