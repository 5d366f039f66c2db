package dev.tandem.tools.benchserve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class PromptsTest {

    private static int words(String text) {
        return text.split(" ").length;
    }

    @Test
    void fixedRandomAndSharedPrefixPrompts() {
        List<String> fixed = Prompts.generate(Prompts.Kind.FIXED, 5, 20, 0, 0.5, 1);
        assertTrue(fixed.stream().allMatch(p -> words(p) == 20));
        assertNotEquals(fixed.get(0), fixed.get(1));

        List<String> random = Prompts.generate(Prompts.Kind.RANDOM, 50, 20, 0, 0.5, 1);
        assertTrue(random.stream().allMatch(p -> words(p) >= 10 && words(p) <= 30));
        assertTrue(random.stream().map(PromptsTest::words).distinct().count() > 3);

        List<String> shared = Prompts.generate(Prompts.Kind.SHARED_PREFIX, 4, 6, 10, 0, 1);
        String prefix = String.join(" ", List.of(shared.get(0).split(" ")).subList(0, 10));
        assertTrue(shared.stream().allMatch(p -> p.startsWith(prefix + " ") && words(p) == 16));

        assertEquals(random, Prompts.generate(Prompts.Kind.RANDOM, 50, 20, 0, 0.5, 1)); // seeded
    }
}
