package dev.tandem.telemetry.logging;

import static dev.tandem.telemetry.logging.LogField.kv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Level;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class DynamoLogFormatterTest {

    private static final Instant AT = Instant.parse("2025-10-31T21:06:45.397194321Z");
    private static final String TRACE = "80196f3e3a6fdf06d23bb9ada3788518";

    private static ExtLogRecord record(java.util.logging.Level level, String message, Map<String, String> mdc,
            Object... parameters) {
        ExtLogRecord record = new ExtLogRecord(level, message, ExtLogRecord.FormatStyle.MESSAGE_FORMAT,
                DynamoLogFormatterTest.class.getName());
        record.setLoggerName("dev.tandem.frontend.generation.GenerationService");
        record.setInstant(AT);
        record.setParameters(parameters);
        record.setMdc(mdc);
        record.setSourceClassName("dev.tandem.frontend.generation.GenerationService");
        record.setSourceFileName("GenerationService.java");
        record.setSourceLineNumber(232);
        return record;
    }

    private static final Map<String, String> REQUEST_MDC = Map.of(
            "traceId", TRACE, "spanId", "f7e487a9d2a6bf38", "parentId", "0102030405060708", "sampled", "false",
            "x_request_id", "test-trace-001", "request_id", "8372eac7-5f43-4d76-beca-0a94cfb311d0");

    @Test
    void jsonlKeysComeInDynamosOrder() throws Exception {
        String line = new DynamoLogFormatter(true, false, false).format(record(Level.DEBUG, "Prefill succeeded",
                REQUEST_MDC, kv("worker", "127.0.0.1:9081"), kv("elapsed_ms", 12), kv("cached", false)));
        assertEquals("{\"time\":\"2025-10-31T21:06:45.397194Z\",\"level\":\"DEBUG\","
                + "\"file\":\"dev/tandem/frontend/generation/GenerationService.java\",\"line\":232,"
                + "\"target\":\"dev.tandem.frontend.generation.GenerationService\",\"message\":\"Prefill succeeded\","
                + "\"cached\":false,\"elapsed_ms\":12,\"parent_id\":\"0102030405060708\","
                + "\"request_id\":\"8372eac7-5f43-4d76-beca-0a94cfb311d0\",\"span_id\":\"f7e487a9d2a6bf38\","
                + "\"trace_id\":\"" + TRACE + "\",\"worker\":\"127.0.0.1:9081\",\"x_request_id\":\"test-trace-001\"}\n",
                line);
        JsonNode json = new ObjectMapper().readTree(line);
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("time", "level", "file", "line", "target", "message"), keys.subList(0, 6));
        List<String> rest = keys.subList(6, keys.size());
        assertEquals(rest.stream().sorted().toList(), rest);
    }

    @Test
    void levelsAreDynamosNames() throws Exception {
        DynamoLogFormatter formatter = new DynamoLogFormatter(true, false, false);
        ObjectMapper mapper = new ObjectMapper();
        assertEquals("WARN", mapper.readTree(formatter.format(record(java.util.logging.Level.WARNING, "w", Map.of())))
                .get("level").asText());
        assertEquals("ERROR", mapper.readTree(formatter.format(record(java.util.logging.Level.SEVERE, "e", Map.of())))
                .get("level").asText());
        assertEquals("TRACE", mapper.readTree(formatter.format(record(Level.TRACE, "t", Map.of())))
                .get("level").asText());
    }

    @Test
    void readableLinesPadTheLevelAndShowNoTraceIds() {
        DynamoLogFormatter formatter = new DynamoLogFormatter(false, false, false);
        assertEquals("2025-10-31T21:06:45.397194Z  INFO dev.tandem.frontend.generation.GenerationService: "
                + "request received model=stories260k request_id=8372eac7-5f43-4d76-beca-0a94cfb311d0 "
                + "x_request_id=test-trace-001\n",
                formatter.format(record(Level.INFO, "request received", new java.util.TreeMap<>(Map.of(
                        "traceId", TRACE, "spanId", "f7e487a9d2a6bf38", "x_request_id", "test-trace-001",
                        "request_id", "8372eac7-5f43-4d76-beca-0a94cfb311d0")).descendingMap(),
                        kv("model", "stories260k"))));
        assertEquals("2025-10-31T21:06:45.397194Z DEBUG dev.tandem.frontend.generation.GenerationService: "
                + "Prefill of 3 tokens detail=\"two words\"\n",
                formatter.format(record(Level.DEBUG, "Prefill of {0} tokens", Map.of(), 3, kv("detail", "two words"))));
    }

    @Test
    void localTimestampsCarryTheirOffset() {
        TimeZone saved = TimeZone.getDefault();
        try {
            TimeZone.setDefault(TimeZone.getTimeZone(ZoneId.of("Europe/Paris")));
            assertEquals("2025-10-31T22:06:45.397194+01:00", new DynamoLogFormatter(true, true, false).timestamp(AT));
        } finally {
            TimeZone.setDefault(saved);
        }
        assertEquals("2025-10-31T21:06:45.397194Z", new DynamoLogFormatter(true, false, false).timestamp(AT));
        assertEquals("2025-10-31T21:06:45.000000Z",
                new DynamoLogFormatter(true, false, false).timestamp(Instant.parse("2025-10-31T21:06:45Z")));
    }

    @Test
    void aLineCannotClaimASpanItIsNotIn() throws Exception {
        String line = new DynamoLogFormatter(true, false, false).format(record(Level.INFO, "spoof", Map.of(),
                kv("trace_id", TRACE), kv("span_name", "http-request"), kv("status", "success")));
        JsonNode json = new ObjectMapper().readTree(line);
        assertFalse(json.has("trace_id"));
        assertFalse(json.has("span_name"));
        assertEquals("success", json.get("status").asText());
    }

    @Test
    void invalidIdsFromTheMdcAreDropped() throws Exception {
        String line = new DynamoLogFormatter(true, false, false).format(record(Level.INFO, "m",
                Map.of("traceId", TRACE, "spanId", "not-hex", "x_request_id", "r1")));
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals(TRACE, json.get("trace_id").asText());
        assertFalse(json.has("span_id"));
    }

    @Test
    void exceptionsAreOneJsonLine() throws Exception {
        ExtLogRecord record = record(Level.ERROR, "Prefill failed", Map.of());
        record.setThrown(new IllegalStateException("boom"));
        String line = new DynamoLogFormatter(true, false, false).format(record);
        assertEquals(1, line.split("\n").length);
        JsonNode json = new ObjectMapper().readTree(line);
        assertTrue(json.get("error").asText().startsWith("java.lang.IllegalStateException: boom"));
        String readable = new DynamoLogFormatter(false, false, false).format(record);
        assertTrue(readable.contains("\njava.lang.IllegalStateException: boom"), readable);
    }

    @Test
    void spanEventsKeepTheSpansOwnIds() throws Exception {
        ExtLogRecord record = record(Level.INFO, "SPAN_CLOSED", Map.of("traceId", "0".repeat(31) + "1",
                "spanId", "0".repeat(15) + "1", "x_request_id", "r1"),
                kv("span_name", "handle_payload"), kv("trace_id", TRACE), kv("span_id", "f7e487a9d2a6bf38"),
                kv("time.busy_us", 10L), kv("time.idle_us", 5L), kv("time.duration_us", 15L));
        record.setLoggerName(LoggingSettings.SPAN_EVENTS_CATEGORY);
        JsonNode json = new ObjectMapper().readTree(new DynamoLogFormatter(true, false, false).format(record));
        assertEquals(TRACE, json.get("trace_id").asText());
        assertEquals("f7e487a9d2a6bf38", json.get("span_id").asText());
        assertEquals("handle_payload", json.get("span_name").asText());
        assertEquals("r1", json.get("x_request_id").asText());
        assertEquals(15, json.get("time.duration_us").asLong());
        assertEquals("request_span", json.get("target").asText());
    }
}
