package dev.tandem.telemetry.logging;

import static dev.tandem.telemetry.logging.LogField.kv;

import java.util.logging.Formatter;
import java.util.logging.Handler;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.handlers.ConsoleHandler;

import io.quarkus.runtime.StartupEvent;

/**
 * Puts {@link DynamoLogFormatter} on the console handler Quarkus configured (to stderr:
 * {@code quarkus.log.console.stderr=true}) at startup, if {@link DynamoFormatFilter} has not already done so
 * with the first record; levels are already Quarkus' own (see {@link DynLogConfigSource}). In JSONL mode it then
 * logs Dynamo's init line saying whether traces and logs are exported.
 */
@Singleton
public class LoggingSetup {

    private static final Logger LOG = Logger.getLogger(LoggingSetup.class);

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        LoggingSettings settings = LoggingSettings.current();
        install(DynamoLogFormatter.of(settings));
        settings.warnings().forEach(LOG::warn);
        if (settings.jsonl()) {
            Config config = ConfigProvider.getConfig();
            String service = config.getOptionalValue("quarkus.otel.service.name", String.class)
                    .or(() -> config.getOptionalValue("quarkus.application.name", String.class)).orElse("dynamo");
            boolean export = LogLevels.truthy(config.getOptionalValue("OTEL_EXPORT_ENABLED", String.class).orElse("false"));
            if (export) {
                String endpoint = config.getOptionalValue("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", String.class)
                        .or(() -> config.getOptionalValue("quarkus.otel.exporter.otlp.traces.endpoint", String.class))
                        .orElse("http://localhost:4317");
                LOG.infov("OpenTelemetry OTLP export enabled (traces and logs)", kv("endpoint", endpoint), kv("service", service));
            } else {
                LOG.infov("OpenTelemetry OTLP export disabled, traces local only", kv("service", service));
            }
        }
    }

    /** Sets the formatter of every console handler under the root logger; how many there were. */
    public static int install(Formatter formatter) {
        return install(LogContext.getLogContext().getLogger("").getHandlers(), formatter);
    }

    private static int install(Handler[] handlers, Formatter formatter) {
        int installed = 0;
        for (Handler handler : handlers) {
            if (handler instanceof ConsoleHandler console) {
                console.setFormatter(formatter);
                installed++;
            } else if (handler instanceof ExtHandler parent) { // Quarkus' delayed handler, an async wrapper
                installed += install(parent.getHandlers(), formatter);
            }
        }
        return installed;
    }
}
