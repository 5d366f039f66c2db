package dev.tandem.telemetry.logging;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@code DYN_LOG} value: comma-separated directives, a bare level setting the default
 * ({@code info,dev.tandem.frontend=debug}). Targets are logger categories; Rust-style {@code ::} separators are
 * read as dots. {@code target:level} is tolerated, a bare target means {@code trace} (as in {@code EnvFilter}),
 * and a directive that does not parse (span filters, unknown levels) is dropped, never fatal. A later
 * directive for the same target wins.
 *
 * @param defaultLevel the JBoss level name of the bare level, if any
 * @param targets JBoss level name per category, in directive order
 * @param dropped the directives that did not parse
 */
public record LogDirectives(Optional<String> defaultLevel, Map<String, String> targets, List<String> dropped) {

    private static final Pattern TARGET = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$\\-]*(\\.[A-Za-z_$][A-Za-z0-9_$\\-]*)*");

    public static final LogDirectives NONE = new LogDirectives(Optional.empty(), Map.of(), List.of());

    public static LogDirectives parse(String value) {
        if (value == null || value.isBlank()) {
            return NONE;
        }
        String defaultLevel = null;
        Map<String, String> targets = new LinkedHashMap<>();
        List<String> dropped = new java.util.ArrayList<>();
        for (String raw : value.split(",")) {
            String directive = raw.trim();
            if (directive.isEmpty()) {
                continue;
            }
            Optional<String> bare = LogLevels.parse(directive);
            if (bare.isPresent()) {
                defaultLevel = bare.get();
                continue;
            }
            String target = directive;
            String level = "TRACE";
            int eq = directive.lastIndexOf('=');
            int colon = directive.lastIndexOf(':');
            if (eq >= 0) {
                target = directive.substring(0, eq).trim();
                level = LogLevels.parse(directive.substring(eq + 1)).orElse(null);
            } else if (colon > 0 && directive.charAt(colon - 1) != ':') {
                target = directive.substring(0, colon).trim();
                level = LogLevels.parse(directive.substring(colon + 1)).orElse(null);
            }
            target = target.replace("::", ".");
            if (level == null || !TARGET.matcher(target).matches()) {
                dropped.add(directive);
                continue;
            }
            targets.remove(target); // the last one counts, and keeps its place last
            targets.put(target, level);
        }
        return new LogDirectives(Optional.ofNullable(defaultLevel), Collections.unmodifiableMap(targets),
                List.copyOf(dropped));
    }
}
