package dev.tandem.tools.benchserve;

import java.util.ArrayList;
import java.util.List;

/**
 * Server-sent events, fed a line at a time (as an HTTP body arrives): the {@code data:} lines of an event are joined
 * with newlines and the event is complete at the blank line that ends it. Comments ({@code :…}) and the other fields
 * ({@code event:}, {@code id:}, {@code retry:}) are skipped; OpenAI's streams use only {@code data:}.
 */
final class SseParser {

    private final List<String> data = new ArrayList<>();

    /** Takes one line (without its line ending); returns the data of the event it completes, else null. */
    String feed(String line) {
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty()) {
            return flush();
        }
        if (line.startsWith("data:")) {
            String value = line.substring(5);
            data.add(value.startsWith(" ") ? value.substring(1) : value);
        }
        return null;
    }

    /** The data of an event the stream ended without a blank line after, else null. */
    String flush() {
        if (data.isEmpty()) {
            return null;
        }
        String event = String.join("\n", data);
        data.clear();
        return event;
    }
}
