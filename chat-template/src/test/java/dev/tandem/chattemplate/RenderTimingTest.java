package dev.tandem.chattemplate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How long rendering takes once warm: every template over every conversation of the shared suite that renders
 * (86 template-conversation pairs), timed together; prints the mean and the slowest pair.
 */
class RenderTimingTest {

    private record Work(String label, Template template, Map<String, Object> variables) { }

    @Test
    void rendersWellUnderAMillisecond() {
        JsonNode expected = SharedTemplates.expected();
        Map<String, JsonNode> cases = new HashMap<>();
        expected.get("cases").forEach(c -> cases.put(c.get("name").asText(), c));
        List<Work> work = new ArrayList<>();
        for (Map.Entry<String, JsonNode> t : expected.get("templates").properties()) {
            Template template = Template.parse(SharedTemplates.template(t.getKey()))
                    .withClock(() -> ConformanceTest.FIXED_NOW);
            for (Map.Entry<String, JsonNode> r : t.getValue().properties()) {
                if (r.getValue().has("text")) {
                    work.add(new Work(t.getKey() + " / " + r.getKey(), template,
                            ConformanceTest.variables(expected, cases.get(r.getKey()))));
                }
            }
        }
        long sink = 0;
        for (int i = 0; i < 300; i++) {
            for (Work w : work) {
                sink += w.template().render(w.variables()).length();
            }
        }
        int rounds = 300;
        double slowest = 0;
        String slowestLabel = "";
        long total = 0;
        for (Work w : work) {
            long start = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                sink += w.template().render(w.variables()).length();
            }
            long elapsed = System.nanoTime() - start;
            total += elapsed;
            double each = elapsed / (double) rounds;
            if (each > slowest) {
                slowest = each;
                slowestLabel = w.label();
            }
        }
        double mean = total / (double) (rounds * work.size());
        System.out.printf("chat template render time: mean %.1f µs over %d template/conversation pairs;"
                + " slowest %.1f µs (%s) [%d]%n", mean / 1000, work.size(), slowest / 1000, slowestLabel, sink % 10);
        assertTrue(mean < 1_000_000, "mean render time " + mean / 1000 + " µs");
    }
}
