package dev.tandem.telemetry.logging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What Dynamo's logging environment asks for, read once per process from the environment (or system properties
 * of the same name):
 *
 * <ul>
 * <li>{@code DYN_LOGGING_JSONL}: one JSON object per line instead of readable lines;</li>
 * <li>{@code DYN_LOG_USE_LOCAL_TZ}: local timestamps with an offset instead of UTC {@code Z};</li>
 * <li>{@code DYN_LOGGING_SPAN_EVENTS}: {@code SPAN_FIRST_ENTRY}/{@code SPAN_CLOSED} lines (JSONL only);</li>
 * <li>{@code DYN_SDK_DISABLE_ANSI_LOGGING}: no colours in readable lines;</li>
 * <li>the levels: built-in defaults, then {@code /opt/dynamo/etc/logging.toml}, then the file named by
 * {@code DYN_LOGGING_CONFIG_PATH}, then {@code DYN_LOG}; the engine's categories follow
 * {@code TANDEM_ENGINE_LOG} (default {@code info}) whatever {@code DYN_LOG}'s default level is.</li>
 * </ul>
 *
 * Levels become Quarkus' own per-category settings ({@code quarkus.log.level},
 * {@code quarkus.log.category."x".level}) through {@link DynLogConfigSource}.
 */
public record LoggingSettings(boolean jsonl, boolean localTimeZone, boolean spanEvents, boolean ansi,
        Optional<String> defaultLevel, Map<String, String> categoryLevels, List<String> warnings) {

    public static final Path SYSTEM_CONFIG = Path.of("/opt/dynamo/etc/logging.toml");

    /** The engine's own categories, whose level is {@code TANDEM_ENGINE_LOG}'s rather than {@code DYN_LOG}'s. */
    public static final List<String> ENGINE_CATEGORIES = List.of("dev.tandem.engine", "dev.tandem.engine.kv",
            "dev.tandem.gguf", "dev.tandem.tokenizer");
    public static final String ENGINE_LOG = "TANDEM_ENGINE_LOG";
    public static final String ENGINE_DEFAULT_LEVEL = "INFO";

    /**
     * Dynamo's default {@code [log_filters]} quieten its chattiest libraries (h2, tonic, opentelemetry...) to
     * {@code error}; these are their Java counterparts. Quarkus' OpenTelemetry context storage logs every context
     * switch at debug ("Setting Otel context …"), outside any request's span: kept at info, so that under
     * {@code DYN_LOG=debug} every line of a request still carries its trace ids.
     */
    public static final Map<String, String> DEFAULT_FILTERS = Map.of(
            "io.netty", "ERROR",
            "io.grpc", "ERROR",
            "io.opentelemetry", "ERROR",
            "io.quarkus.opentelemetry.runtime.QuarkusContextStorage", "INFO");

    /** The category of the span lifecycle lines; forced on when they are asked for (Dynamo's forced directive). */
    public static final String SPAN_EVENTS_CATEGORY = "request_span";

    private static volatile LoggingSettings current;

    /** This process's settings, read on first use. */
    public static LoggingSettings current() {
        LoggingSettings settings = current;
        if (settings == null) {
            settings = current = read(LoggingSettings::lookup, SYSTEM_CONFIG);
        }
        return settings;
    }

    private static String lookup(String name) {
        String value = System.getenv(name);
        return value != null ? value : System.getProperty(name);
    }

    public static LoggingSettings read(UnaryOperator<String> env, Path systemConfig) {
        List<String> warnings = new ArrayList<>();
        LoggingToml toml = LoggingToml.EMPTY;
        if (systemConfig != null && Files.isRegularFile(systemConfig)) {
            toml = load(systemConfig, warnings).over(toml);
        }
        String configPath = env.apply("DYN_LOGGING_CONFIG_PATH");
        if (configPath != null && !configPath.isBlank()) {
            Path path = Path.of(configPath.trim());
            if (Files.isRegularFile(path)) {
                toml = load(path, warnings).over(toml);
            } else {
                warnings.add("DYN_LOGGING_CONFIG_PATH: " + path + " is not a file; ignored");
            }
        }
        LogDirectives directives = LogDirectives.parse(env.apply("DYN_LOG"));
        directives.dropped().forEach(d -> warnings.add("DYN_LOG: ignoring directive '" + d + "'"));

        Map<String, String> levels = new LinkedHashMap<>(new java.util.TreeMap<>(DEFAULT_FILTERS));
        levels.putAll(toml.filters());
        levels.putAll(directives.targets());

        String engineValue = env.apply(ENGINE_LOG);
        Optional<String> engineLevel = Optional.empty();
        if (engineValue != null && !engineValue.isBlank()) {
            engineLevel = LogLevels.parse(engineValue);
            if (engineLevel.isEmpty()) {
                warnings.add(ENGINE_LOG + ": not a level: '" + engineValue + "'; using info");
            }
        }
        for (String category : ENGINE_CATEGORIES) {
            if (engineLevel.isPresent() || !levels.containsKey(category)) {
                levels.put(category, engineLevel.orElse(ENGINE_DEFAULT_LEVEL));
            }
        }
        boolean jsonl = LogLevels.truthy(env.apply("DYN_LOGGING_JSONL"));
        boolean spanEvents = jsonl && LogLevels.truthy(env.apply("DYN_LOGGING_SPAN_EVENTS"));
        if (spanEvents) {
            levels.put(SPAN_EVENTS_CATEGORY, "TRACE");
        }
        return new LoggingSettings(jsonl,
                LogLevels.truthy(env.apply("DYN_LOG_USE_LOCAL_TZ")),
                spanEvents,
                !LogLevels.truthy(env.apply("DYN_SDK_DISABLE_ANSI_LOGGING")),
                directives.defaultLevel().or(toml::logLevel),
                Collections.unmodifiableMap(levels),
                List.copyOf(warnings));
    }

    private static LoggingToml load(Path file, List<String> warnings) {
        try {
            return LoggingToml.read(file);
        } catch (IOException | RuntimeException e) {
            warnings.add("Logging config " + file + " ignored: " + e.getMessage());
            return LoggingToml.EMPTY;
        }
    }

    /** The levels as Quarkus logging properties. */
    public Map<String, String> quarkusProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        defaultLevel.ifPresent(level -> properties.put("quarkus.log.level", level));
        categoryLevels.forEach((category, level) -> properties.put("quarkus.log.category.\"" + category + "\".level", level));
        return properties;
    }
}
