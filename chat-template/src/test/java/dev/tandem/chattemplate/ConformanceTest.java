package dev.tandem.chattemplate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every case of {@code ../shared/templates/expected.json}: 17 published chat templates over six conversations,
 * rendered by Jinja2 with Hugging Face's conventions. A scored text must come out byte for byte; a scored error
 * must fail; unscored errors (Python-only failures) are not conformance cases.
 */
class ConformanceTest {

    static final LocalDateTime FIXED_NOW = LocalDateTime.of(2026, 12, 7, 12, 0, 0);

    /** The variables of one case, as Hugging Face's apply_chat_template passes them. */
    static Map<String, Object> variables(JsonNode expected, JsonNode testCase) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", Json.fromJackson(testCase.get("messages")));
        vars.put("add_generation_prompt", testCase.get("add_generation_prompt").asBoolean());
        vars.put("bos_token", expected.get("variables").get("bos_token").asText());
        vars.put("eos_token", expected.get("variables").get("eos_token").asText());
        if (testCase.has("tools")) {
            vars.put("tools", Json.fromJackson(testCase.get("tools")));
        }
        return vars;
    }

    @Test
    void allScoredCasesRenderAsJinja2() {
        JsonNode expected = SharedTemplates.expected();
        Map<String, JsonNode> cases = new HashMap<>();
        expected.get("cases").forEach(c -> cases.put(c.get("name").asText(), c));
        int scored = 0;
        int passed = 0;
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, JsonNode> t : expected.get("templates").properties()) {
            Template template = Template.parse(SharedTemplates.template(t.getKey())).withClock(() -> FIXED_NOW);
            for (Map.Entry<String, JsonNode> r : t.getValue().properties()) {
                JsonNode result = r.getValue();
                boolean expectError = result.has("error");
                if (expectError && !result.get("scored").asBoolean()) {
                    continue;
                }
                scored++;
                String label = t.getKey() + " / " + r.getKey();
                try {
                    String text = template.render(variables(expected, cases.get(r.getKey())));
                    if (expectError) {
                        failures.add(label + ": rendered, expected " + result.get("error").asText());
                    } else if (text.equals(result.get("text").asText())) {
                        passed++;
                    } else {
                        failures.add(label + ": " + firstDifference(result.get("text").asText(), text));
                    }
                } catch (TemplateException e) {
                    if (expectError) {
                        passed++;
                    } else {
                        failures.add(label + ": failed with " + e.kind().pythonName() + ": " + e.getMessage());
                    }
                }
            }
        }
        System.out.printf("chat template conformance: %d/%d scored cases%n", passed, scored);
        failures.forEach(f -> System.out.println("  " + f));
        assertEquals(98, scored, "scored cases in expected.json");
        assertTrue(failures.isEmpty(), passed + "/" + scored + " scored cases pass; failing:\n"
                + String.join("\n", failures));
    }

    static String firstDifference(String expected, String actual) {
        int i = 0;
        while (i < expected.length() && i < actual.length() && expected.charAt(i) == actual.charAt(i)) {
            i++;
        }
        int from = Math.max(0, i - 40);
        return "differs at " + i + ": expected «" + expected.substring(from, Math.min(expected.length(), i + 40))
                + "» got «" + actual.substring(from, Math.min(actual.length(), i + 40)) + "»";
    }
}
