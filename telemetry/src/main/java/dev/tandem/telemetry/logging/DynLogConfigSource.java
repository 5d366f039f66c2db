package dev.tandem.telemetry.logging;

import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns {@code DYN_LOG}, {@code DYN_LOGGING_CONFIG_PATH} and {@code TANDEM_ENGINE_LOG} into Quarkus' per-category
 * log levels, so the framework's own level handling does the filtering. Its ordinal sits above
 * {@code application.properties} (250) and below environment variables (300): an explicit
 * {@code QUARKUS_LOG_LEVEL} or {@code QUARKUS_LOG_CATEGORY__X__LEVEL} still wins. Registered through
 * {@code META-INF/services}, so all three services have it.
 */
public class DynLogConfigSource implements ConfigSource {

    public static final int ORDINAL = 275;

    private final Map<String, String> properties;

    public DynLogConfigSource() {
        this(LoggingSettings.current());
    }

    DynLogConfigSource(LoggingSettings settings) {
        this.properties = Map.copyOf(settings.quarkusProperties());
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "DynLogConfigSource[DYN_LOG, DYN_LOGGING_CONFIG_PATH, TANDEM_ENGINE_LOG]";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
