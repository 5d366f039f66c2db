package dev.tandem.telemetry.logging;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtLogRecord;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.tandem.telemetry.RequestIds;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.trace.ReadableSpan;

/**
 * Dynamo's two console formats (spec §1.4–1.6), for JBoss LogManager records.
 *
 * <p>JSONL: {@code time}, {@code level}, {@code file}, {@code line}, {@code target}, {@code message}, then every
 * other field sorted by key. The other fields are the record's {@link LogField} parameters, the request's
 * context (the MDC: {@code x_request_id}, {@code request_id}..., with OpenTelemetry's {@code traceId},
 * {@code spanId}, {@code parentId} renamed {@code trace_id}, {@code span_id}, {@code parent_id}) and, when the
 * current span records, its name ({@code span_name}) and its plain attributes ({@code method}, {@code uri}...:
 * keys without a dot; OpenTelemetry's semantic-convention attributes are left to the traces). An exception is
 * the {@code error} field (its stack trace) of the same line.
 *
 * <p>Readable: {@code <time> <LEVEL padded to 5> [<span name>: ]<target>: <message> <k=v...>}, with the same
 * fields except the trace ids, as Dynamo's readable lines have none.
 */
public class DynamoLogFormatter extends ExtFormatter {

    /** Keys a line's own fields cannot set: they describe the span the line is logged in. */
    static final Set<String> RESERVED = Set.of("trace_id", "span_id", "parent_id", "span_name", "tracestate");
    private static final Set<String> TRACE_KEYS = Set.of("trace_id", "span_id", "parent_id");
    private static final Pattern HEX32 = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern HEX16 = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String[] MDC_RENAMES = { "traceId", "trace_id", "spanId", "span_id", "parentId", "parent_id" };
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx");
    private static final JsonFactory JSON = new JsonFactory();

    private final boolean jsonl;
    private final DateTimeFormatter timestamps;
    private final boolean ansi;

    public DynamoLogFormatter(boolean jsonl, boolean localTimeZone, boolean ansi) {
        this.jsonl = jsonl;
        this.timestamps = localTimeZone ? LOCAL.withZone(ZoneId.systemDefault()) : UTC;
        this.ansi = ansi && !jsonl;
    }

    public static DynamoLogFormatter of(LoggingSettings settings) {
        boolean terminal = System.console() != null && System.console().isTerminal();
        return new DynamoLogFormatter(settings.jsonl(), settings.localTimeZone(), settings.ansi() && terminal);
    }

    public boolean jsonl() {
        return jsonl;
    }

    /** JSONL lines carry the call site ({@code file}, {@code line}); readable ones do not. */
    @Override
    public boolean isCallerCalculationRequired() {
        return jsonl;
    }

    /** {@code 2025-10-31T21:06:45.397194Z}: always microseconds. */
    public String timestamp(Instant instant) {
        return timestamps.format(instant.truncatedTo(ChronoUnit.MICROS));
    }

    @Override
    public String format(ExtLogRecord record) {
        Map<String, Object> fields = fields(record);
        if (jsonl && record.getThrown() != null) {
            fields.putIfAbsent("error", stackTrace(record.getThrown()));
        }
        String message = record.getMessage() == null ? "" : formatMessage(record);
        return jsonl ? json(record, message, fields) : readable(record, message, fields);
    }

    private String json(ExtLogRecord record, String message, Map<String, Object> fields) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("time", timestamp(record.getInstant()));
            json.writeStringField("level", LogLevels.name(record.getLevel()));
            String file = sourceFile(record);
            if (file != null) {
                json.writeStringField("file", file);
                if (record.getSourceLineNumber() > 0) {
                    json.writeNumberField("line", record.getSourceLineNumber());
                }
            }
            json.writeStringField("target", target(record));
            json.writeStringField("message", message);
            for (var field : new TreeMap<>(fields).entrySet()) {
                json.writeFieldName(field.getKey());
                writeValue(json, field.getValue());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append('\n').toString();
    }

    private static void writeValue(JsonGenerator json, Object value) throws IOException {
        switch (value) {
            case null -> json.writeNull();
            case Boolean b -> json.writeBoolean(b);
            case Integer i -> json.writeNumber(i);
            case Long l -> json.writeNumber(l);
            case Short s -> json.writeNumber(s);
            case Byte b -> json.writeNumber(b);
            case Double d when Double.isFinite(d) -> json.writeNumber(d);
            case Float f when Float.isFinite(f) -> json.writeNumber(f);
            case java.math.BigInteger b -> json.writeNumber(b);
            case java.math.BigDecimal b -> json.writeNumber(b);
            default -> json.writeString(String.valueOf(value));
        }
    }

    private String readable(ExtLogRecord record, String message, Map<String, Object> fields) {
        StringBuilder line = new StringBuilder(160);
        line.append(timestamp(record.getInstant())).append(' ');
        String level = LogLevels.name(record.getLevel());
        String padded = " ".repeat(5 - level.length()) + level;
        if (ansi) {
            line.append(colour(level)).append(padded).append("\u001b[0m");
        } else {
            line.append(padded);
        }
        line.append(' ');
        if (fields.get("span_name") instanceof String span) {
            line.append(span).append(": ");
        }
        line.append(target(record)).append(": ").append(message);
        fields.forEach((key, value) -> {
            if (!TRACE_KEYS.contains(key) && !key.equals("span_name")) {
                line.append(' ').append(key).append('=').append(readableValue(value));
            }
        });
        line.append('\n');
        if (record.getThrown() != null) {
            line.append(stackTrace(record.getThrown()));
        }
        return line.toString();
    }

    private static String stackTrace(Throwable thrown) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    private static String readableValue(Object value) {
        String text = String.valueOf(value);
        return text.isEmpty() || text.chars().anyMatch(Character::isWhitespace) ? '"' + text.replace("\"", "\\\"") + '"' : text;
    }

    private static String colour(String level) {
        return switch (level) {
            case "ERROR" -> "\u001b[31m";
            case "WARN" -> "\u001b[33m";
            case "INFO" -> "\u001b[32m";
            case "DEBUG" -> "\u001b[34m";
            default -> "\u001b[35m";
        };
    }

    private static String target(ExtLogRecord record) {
        String name = record.getLoggerName();
        return name == null || name.isEmpty() ? "root" : name;
    }

    /** {@code dev/tandem/prefill/grpc/PrefillGrpcService.java}: the source path inside its module. */
    private static String sourceFile(ExtLogRecord record) {
        String file = record.getSourceFileName();
        if (file == null) {
            return null;
        }
        String className = record.getSourceClassName();
        int dot = className == null ? -1 : className.lastIndexOf('.');
        return dot < 0 ? file : className.substring(0, dot).replace('.', '/') + '/' + file;
    }

    /**
     * The line's fields, in this precedence: its own {@link LogField}s (which cannot set the reserved keys), then
     * the MDC, then the current span. Readable lines show them in this order.
     */
    Map<String, Object> fields(ExtLogRecord record) {
        Map<String, Object> fields = new LinkedHashMap<>();
        boolean spanEvent = LoggingSettings.SPAN_EVENTS_CATEGORY.equals(record.getLoggerName());
        Object[] parameters = record.getParameters();
        if (parameters != null) {
            for (Object parameter : parameters) {
                if (parameter instanceof LogField field && field.key() != null
                        && (spanEvent || !RESERVED.contains(field.key()))) {
                    fields.putIfAbsent(field.key(), field.value());
                }
            }
        }
        Map<String, String> mdc = record.getMdcCopy();
        if (spanEvent) { // the span's own ids and fields, not those of the span it is logged in
            mdc.keySet().removeAll(Set.of("traceId", "spanId", "parentId", "sampled"));
            new TreeMap<>(mdc).forEach(fields::putIfAbsent);
            return fields;
        }
        for (int i = 0; i < MDC_RENAMES.length; i += 2) {
            String value = mdc.remove(MDC_RENAMES[i]);
            if (value != null) {
                fields.putIfAbsent(MDC_RENAMES[i + 1], value);
            }
        }
        mdc.remove("sampled");
        new TreeMap<>(mdc).forEach(fields::putIfAbsent);
        addSpan(fields);
        if (!fields.containsKey(RequestIds.MDC_KEY)) {
            String requestId = RequestIds.current(); // a worker's gRPC call, on its own thread
            if (requestId != null) {
                fields.put(RequestIds.MDC_KEY, requestId);
            }
        }
        validateIds(fields);
        return fields;
    }

    /**
     * The current span, when the MDC does not have it (a plain thread the OpenTelemetry context was carried to)
     * and, for a recording span, its name and plain attributes.
     */
    private static void addSpan(Map<String, Object> fields) {
        Span span = Span.current();
        SpanContext context = span.getSpanContext();
        if (!context.isValid()) {
            return;
        }
        if (fields.containsKey("span_id") && !context.getSpanId().equals(fields.get("span_id"))) {
            return; // the MDC describes another span: trust it
        }
        fields.putIfAbsent("trace_id", context.getTraceId());
        fields.putIfAbsent("span_id", context.getSpanId());
        if (span instanceof ReadableSpan readable) {
            SpanContext parent = readable.getParentSpanContext();
            if (parent != null && parent.isValid()) {
                fields.putIfAbsent("parent_id", parent.getSpanId());
            }
            fields.putIfAbsent("span_name", readable.getName());
            readable.getAttributes().forEach((AttributeKey<?> key, Object value) -> {
                if (PLAIN_KEY.matcher(key.getKey()).matches()) {
                    fields.putIfAbsent(key.getKey(), String.valueOf(value));
                }
            });
        }
    }

    private static void validateIds(Map<String, Object> fields) {
        if (fields.get("trace_id") instanceof String id && !HEX32.matcher(id).matches()) {
            fields.remove("trace_id");
        }
        for (String key : new String[] { "span_id", "parent_id" }) {
            if (fields.get(key) instanceof String id && !HEX16.matcher(id).matches()) {
                fields.remove(key);
            }
        }
        if (!fields.containsKey("trace_id")) {
            fields.keySet().removeAll(RESERVED); // outside a span nothing claims to be in one
        }
    }
}
