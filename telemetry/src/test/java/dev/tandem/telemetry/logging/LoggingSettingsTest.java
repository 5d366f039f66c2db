package dev.tandem.telemetry.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoggingSettingsTest {

    @TempDir
    Path dir;

    private static LoggingSettings read(Map<String, String> env, Path systemConfig) {
        return LoggingSettings.read(env::get, systemConfig);
    }

    @Test
    void tomlGivesTheDefaultLevelAndFilters() throws IOException {
        LoggingToml toml = LoggingToml.parse("""
                log_level = "debug"
                [log_filters]
                "io.vertx" = "warn"
                "dynamo_llm::kv_router" = "trace"
                """);
        assertEquals(Optional.of("DEBUG"), toml.logLevel());
        assertEquals(Map.of("io.vertx", "WARN", "dynamo_llm.kv_router", "TRACE"), toml.filters());
    }

    @Test
    void tomlWithABadLevelOrSyntaxIsAnError() {
        assertThrows(IOException.class, () -> LoggingToml.parse("log_level = \"loud\""));
        assertThrows(IOException.class, () -> LoggingToml.parse("log_level = = 3"));
        assertThrows(IOException.class, () -> LoggingToml.parse("log_filters = 3"));
    }

    @Test
    void configFileThenDynLogBecomeQuarkusCategoryLevels() throws IOException {
        Path system = Files.writeString(dir.resolve("system.toml"), """
                log_level = "warn"
                [log_filters]
                "io.vertx" = "error"
                "dev.tandem.frontend" = "warn"
                """);
        Path user = Files.writeString(dir.resolve("user.toml"), """
                log_level = "debug"
                [log_filters]
                "dev.tandem.frontend" = "info"
                "io.grpc" = "warn"
                """);
        LoggingSettings settings = read(Map.of("DYN_LOGGING_CONFIG_PATH", user.toString(),
                "DYN_LOG", "dev.tandem.prefill=trace"), system);
        Map<String, String> properties = settings.quarkusProperties();
        assertEquals("DEBUG", properties.get("quarkus.log.level")); // the user file over the system one
        assertEquals("ERROR", properties.get("quarkus.log.category.\"io.vertx\".level"));
        assertEquals("INFO", properties.get("quarkus.log.category.\"dev.tandem.frontend\".level"));
        assertEquals("WARN", properties.get("quarkus.log.category.\"io.grpc\".level")); // over the built-in error
        assertEquals("ERROR", properties.get("quarkus.log.category.\"io.netty\".level")); // built-in
        assertEquals("TRACE", properties.get("quarkus.log.category.\"dev.tandem.prefill\".level"));
        assertEquals(java.util.List.of(), settings.warnings());
    }

    @Test
    void dynLogDefaultWinsOverTheFileAndItsTargetsOverTheFilters() throws IOException {
        Path user = Files.writeString(dir.resolve("user.toml"), """
                log_level = "debug"
                [log_filters]
                "io.grpc" = "warn"
                """);
        Map<String, String> properties = read(Map.of("DYN_LOGGING_CONFIG_PATH", user.toString(),
                "DYN_LOG", "error,io.grpc=debug"), null).quarkusProperties();
        assertEquals("ERROR", properties.get("quarkus.log.level"));
        assertEquals("DEBUG", properties.get("quarkus.log.category.\"io.grpc\".level"));
    }

    @Test
    void nothingSetLeavesTheDefaultToQuarkus() {
        LoggingSettings settings = read(Map.of(), dir.resolve("absent.toml"));
        assertFalse(settings.quarkusProperties().containsKey("quarkus.log.level"));
        assertFalse(settings.jsonl());
        assertTrue(settings.ansi());
    }

    @Test
    void theEngineLevelIsIndependentOfDynLog() {
        Map<String, String> quiet = read(Map.of("DYN_LOG", "debug"), null).quarkusProperties();
        for (String category : LoggingSettings.ENGINE_CATEGORIES) {
            assertEquals("INFO", quiet.get("quarkus.log.category.\"" + category + "\".level"), category);
        }
        Map<String, String> verbose = read(Map.of("DYN_LOG", "error,dev.tandem.engine.kv=warn",
                "TANDEM_ENGINE_LOG", "DEBUG"), null).quarkusProperties();
        for (String category : LoggingSettings.ENGINE_CATEGORIES) {
            assertEquals("DEBUG", verbose.get("quarkus.log.category.\"" + category + "\".level"), category);
        }
        // without TANDEM_ENGINE_LOG, a DYN_LOG directive naming an engine category exactly still applies
        assertEquals("WARN", read(Map.of("DYN_LOG", "dev.tandem.engine.kv=warn"), null).quarkusProperties()
                .get("quarkus.log.category.\"dev.tandem.engine.kv\".level"));
    }

    @Test
    void badInputIsAWarningNotAFailure() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.toml"), "log_level = ");
        Map<String, String> env = new HashMap<>();
        env.put("DYN_LOGGING_CONFIG_PATH", broken.toString());
        env.put("DYN_LOG", "info,x=loud");
        env.put("TANDEM_ENGINE_LOG", "chatty");
        LoggingSettings settings = read(env, null);
        assertEquals(3, settings.warnings().size(), settings.warnings().toString());
        assertEquals(Optional.of("INFO"), settings.defaultLevel());
    }

    @Test
    void switchesFollowDynamosTruthyValues() {
        LoggingSettings settings = read(Map.of("DYN_LOGGING_JSONL", "ON", "DYN_LOG_USE_LOCAL_TZ", "1",
                "DYN_LOGGING_SPAN_EVENTS", "yes", "DYN_SDK_DISABLE_ANSI_LOGGING", "true"), null);
        assertTrue(settings.jsonl());
        assertTrue(settings.localTimeZone());
        assertTrue(settings.spanEvents());
        assertFalse(settings.ansi());
        assertEquals("TRACE", settings.quarkusProperties().get("quarkus.log.category.\"request_span\".level"));
        // span events are a JSONL feature
        assertFalse(read(Map.of("DYN_LOGGING_SPAN_EVENTS", "true"), null).spanEvents());
    }

    @Test
    void theConfigSourceServesTheProperties() {
        LoggingSettings settings = read(Map.of("DYN_LOG", "warn,dev.tandem=debug"), null);
        DynLogConfigSource source = new DynLogConfigSource(settings);
        assertEquals("WARN", source.getValue("quarkus.log.level"));
        assertEquals("DEBUG", source.getValue("quarkus.log.category.\"dev.tandem\".level"));
        assertTrue(source.getPropertyNames().contains("quarkus.log.category.\"dev.tandem\".level"));
        assertEquals(275, source.getOrdinal());
    }
}
