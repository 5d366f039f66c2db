package dev.tandem.frontend.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.frontend.openai.ChatMessage;
import dev.tandem.frontend.openai.OpenAiException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tools and tool calls reach the template as Hugging Face passes them. */
class ChatTemplateToolsTest {

    private static final String TOOLS = "{% if tools is defined %}{% for t in tools %}{{ t.function.name }}:"
            + "{{ t.function.parameters | tojson }};{% endfor %}{% else %}no tools;{% endif %}"
            + "{% for m in messages %}{{ m.role }}={{ m.content }}"
            + "{% for c in m.tool_calls or [] %}[{{ c.function.name }}({{ c.function.arguments.city }})"
            + " {{ c.function.arguments | tojson }}]{% endfor %};{% endfor %}";

    private static final List<Map<String, Object>> WEATHER = List.of(Map.of("type", "function", "function",
            Map.of("name", "get_weather", "parameters", Map.of("type", "object"))));

    private static ChatTemplate template(String source) {
        return new ChatTemplate(Optional.of(source), "<s>", "</s>");
    }

    @Test
    void toolsAreUndefinedUnlessOffered() {
        List<ChatMessage> messages = List.of(new ChatMessage("user", "hi"));
        assertEquals("no tools;user=hi;", template(TOOLS).render(messages, true));
        assertEquals("get_weather:{\"type\": \"object\"};user=hi;", template(TOOLS).render(messages, WEATHER, true));
    }

    @Test
    void toolCallArgumentsSentAsJsonTextArePassedAsObjects() {
        Map<String, Object> call = Map.of("id", "call_1", "type", "function", "function",
                Map.of("name", "get_weather", "arguments", "{\"city\": \"Paris\", \"unit\": \"c\"}"));
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "developer", "content", "Rules"),
                Map.of("role", "assistant", "content", "", "tool_calls", List.of(call)));
        assertEquals("no tools;system=Rules;assistant=[get_weather(Paris) {\"city\": \"Paris\", \"unit\": \"c\"}];",
                template(TOOLS).renderMessages(messages, null, true));
    }

    @Test
    void aTemplateThatRaisesIsABadRequestWithItsMessage() {
        OpenAiException error = assertThrows(OpenAiException.class, () -> template(
                "{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}")
                .renderMessages(List.of(Map.of("role", "system", "content", "x")), null, true));
        assertEquals(400, error.status());
        assertEquals("chat template failed: System role not supported", error.getMessage());
    }
}
