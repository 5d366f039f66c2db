package dev.tandem.telemetry.logging;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Installs {@link DynamoLogFormatter} on the console handler when the first record reaches it
 * ({@code quarkus.log.console.filter=dynamo-format}): the handler's filter runs before its formatter, and before
 * any CDI bean exists, so every line of a run has Dynamo's format, Quarkus' first startup lines included. Lets
 * every record through.
 */
@LoggingFilter(name = "dynamo-format")
public final class DynamoFormatFilter implements Filter {

    private final AtomicBoolean installed = new AtomicBoolean();

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!installed.get() && installed.compareAndSet(false, true)) {
            LoggingSetup.install(DynamoLogFormatter.of(LoggingSettings.current()));
        }
        return true;
    }
}
