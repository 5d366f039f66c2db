package dev.tandem.telemetry.logging;

/**
 * A structured field of one log line, passed as a log parameter:
 * {@code LOG.infov("request completed", kv("status", "success"), kv("elapsed_ms", 12))}. The formatter writes it
 * as a key of the JSON line (numbers and booleans stay typed) or as {@code key=value} after a readable line; it
 * does not appear in the message unless the message's format refers to it ({@code toString} is
 * {@code key=value}).
 */
public record LogField(String key, Object value) {

    public static LogField kv(String key, Object value) {
        return new LogField(key, value);
    }

    @Override
    public String toString() {
        return key + "=" + value;
    }
}
