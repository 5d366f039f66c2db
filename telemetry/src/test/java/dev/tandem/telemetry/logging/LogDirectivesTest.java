package dev.tandem.telemetry.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class LogDirectivesTest {

    @Test
    void bareLevelSetsTheDefaultAndTargetsTheirOwn() {
        LogDirectives directives = LogDirectives.parse("info,dev.tandem.frontend=debug, io.grpc=WARN");
        assertEquals(Optional.of("INFO"), directives.defaultLevel());
        assertEquals(Map.of("dev.tandem.frontend", "DEBUG", "io.grpc", "WARN"), directives.targets());
        assertEquals(List.of(), directives.dropped());
    }

    @Test
    void colonIsToleratedAndRustPathsBecomeCategories() {
        LogDirectives directives = LogDirectives.parse("dynamo_runtime::system_status_server:trace,dev.tandem.decode:debug");
        assertEquals(Map.of("dynamo_runtime.system_status_server", "TRACE", "dev.tandem.decode", "DEBUG"),
                directives.targets());
        assertEquals(Optional.empty(), directives.defaultLevel());
    }

    @Test
    void unparseableDirectivesAreDroppedNotFatal() {
        LogDirectives directives = LogDirectives.parse("warn,a=loud,[span{x=1}]=debug,,=info,b=debug");
        assertEquals(Optional.of("WARN"), directives.defaultLevel());
        assertEquals(Map.of("b", "DEBUG"), directives.targets());
        assertEquals(List.of("a=loud", "[span{x=1}]=debug", "=info"), directives.dropped());
    }

    @Test
    void bareTargetMeansTraceAndTheLastDirectiveWins() {
        LogDirectives directives = LogDirectives.parse("dev.tandem,dev.tandem.kv=info,dev.tandem.kv=error,debug");
        assertEquals(Map.of("dev.tandem", "TRACE", "dev.tandem.kv", "ERROR"), directives.targets());
        assertEquals(Optional.of("DEBUG"), directives.defaultLevel());
    }

    @Test
    void emptyOrMissingIsNothing() {
        assertEquals(LogDirectives.NONE, LogDirectives.parse(null));
        assertEquals(LogDirectives.NONE, LogDirectives.parse("  "));
    }

    @Test
    void levelNamesBothWays() {
        assertEquals(Optional.of("WARN"), LogLevels.parse("WARNING"));
        assertEquals(Optional.of("ERROR"), LogLevels.parse("critical"));
        assertEquals(Optional.of("OFF"), LogLevels.parse("off"));
        assertEquals(Optional.empty(), LogLevels.parse("loud"));
        assertEquals("WARN", LogLevels.name(java.util.logging.Level.WARNING));
        assertEquals("WARN", LogLevels.name(org.jboss.logmanager.Level.WARN));
        assertEquals("ERROR", LogLevels.name(java.util.logging.Level.SEVERE));
        assertEquals("ERROR", LogLevels.name(org.jboss.logmanager.Level.FATAL));
        assertEquals("INFO", LogLevels.name(java.util.logging.Level.CONFIG));
        assertEquals("DEBUG", LogLevels.name(java.util.logging.Level.FINE));
        assertEquals("TRACE", LogLevels.name(java.util.logging.Level.FINEST));
    }
}
