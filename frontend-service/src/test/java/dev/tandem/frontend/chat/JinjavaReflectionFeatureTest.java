package dev.tandem.frontend.chat;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** What the native image registers for Jinjava (the registration itself only runs in a native build). */
class JinjavaReflectionFeatureTest {

    @Test
    void listsFiltersFunctionsTagsAndLoopButNotTheShadedLibraries() {
        List<String> names = JinjavaReflectionFeature.classNames();
        assertTrue(names.contains("com.hubspot.jinjava.lib.filter.UpperFilter"), "filters");
        assertTrue(names.contains("com.hubspot.jinjava.lib.fn.Functions"), "functions");
        assertTrue(names.contains("com.hubspot.jinjava.lib.tag.ForTag"), "tags");
        assertTrue(names.contains("com.hubspot.jinjava.util.ForLoop"), "loop, read as a bean by templates");
        assertTrue(names.contains("com.hubspot.jinjava.objects.collections.PyList"), "list wrapper");
        assertFalse(names.stream().anyMatch(name -> name.startsWith("jinjava.")), "shaded jsoup/EL stay out");
    }
}
