package dev.tandem.telemetry.logging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;

/**
 * Dynamo's logging config file ({@code DYN_LOGGING_CONFIG_PATH}, and {@code /opt/dynamo/etc/logging.toml}):
 *
 * <pre>
 * log_level = "info"
 * [log_filters]
 * "io.netty" = "error"
 * "dev.tandem.decode" = "debug"
 * </pre>
 *
 * Read as a tree (no data binding, so nothing needs reflection in a native image).
 *
 * @param logLevel JBoss level name of {@code log_level}, if set and valid
 * @param filters JBoss level name per category from {@code [log_filters]}, in file order
 */
public record LoggingToml(Optional<String> logLevel, Map<String, String> filters) {

    public static final LoggingToml EMPTY = new LoggingToml(Optional.empty(), Map.of());

    /** Reads a file; an invalid level is an error, as is a file that is not TOML. */
    public static LoggingToml read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    public static LoggingToml parse(String toml) throws IOException {
        JsonNode root = new TomlMapper().readTree(toml);
        if (root == null || !root.isObject()) {
            return EMPTY;
        }
        Optional<String> level = Optional.empty();
        JsonNode levelNode = root.get("log_level");
        if (levelNode != null) {
            level = Optional.of(LogLevels.parse(levelNode.asText())
                    .orElseThrow(() -> new IOException("log_level: not a level: " + levelNode.asText())));
        }
        Map<String, String> filters = new LinkedHashMap<>();
        JsonNode filterNode = root.get("log_filters");
        if (filterNode != null) {
            if (!filterNode.isObject()) {
                throw new IOException("log_filters: expected a table");
            }
            for (var entry : filterNode.properties()) {
                String target = entry.getKey().replace("::", ".");
                String value = entry.getValue().asText();
                filters.put(target, LogLevels.parse(value)
                        .orElseThrow(() -> new IOException("log_filters." + entry.getKey() + ": not a level: " + value)));
            }
        }
        return new LoggingToml(level, Collections.unmodifiableMap(filters));
    }

    /** This file's settings over {@code base}'s. */
    public LoggingToml over(LoggingToml base) {
        Map<String, String> merged = new LinkedHashMap<>(base.filters);
        merged.putAll(filters);
        return new LoggingToml(logLevel.or(base::logLevel), Collections.unmodifiableMap(merged));
    }
}
