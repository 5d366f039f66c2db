package dev.tandem.telemetry.logging;

import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;

/**
 * Dynamo's level names ({@code ERROR WARN INFO DEBUG TRACE}) against JBoss/JUL levels, both ways. Parsing accepts
 * the Rust {@code EnvFilter} names (any case, plus {@code off}) and the Python ones vLLM users know
 * ({@code WARNING}, {@code CRITICAL}).
 */
public final class LogLevels {

    private LogLevels() {
    }

    /** The JBoss level name for a level word, or empty when it is not one. */
    public static Optional<String> parse(String word) {
        if (word == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(switch (word.trim().toLowerCase(Locale.ROOT)) {
            case "error", "critical", "fatal" -> "ERROR";
            case "warn", "warning" -> "WARN";
            case "info" -> "INFO";
            case "debug" -> "DEBUG";
            case "trace" -> "TRACE";
            case "off" -> "OFF";
            default -> null;
        });
    }

    /** The name Dynamo prints for a record's level: {@code WARN}, never {@code WARNING} or {@code SEVERE}. */
    public static String name(Level level) {
        int value = level.intValue();
        if (value >= 1000) { // ERROR, SEVERE, FATAL
            return "ERROR";
        }
        if (value >= 900) { // WARN, WARNING
            return "WARN";
        }
        if (value >= 700) { // INFO, CONFIG
            return "INFO";
        }
        if (value >= 500) { // DEBUG, FINE
            return "DEBUG";
        }
        return "TRACE"; // TRACE, FINER, FINEST
    }

    /** Dynamo's boolean env values: {@code 1|true|on|yes}, any case. */
    public static boolean truthy(String value) {
        if (value == null) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "on", "yes" -> true;
            default -> false;
        };
    }
}
