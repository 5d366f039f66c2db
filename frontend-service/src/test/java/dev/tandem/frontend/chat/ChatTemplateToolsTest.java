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

    private static List<ChatMessage> conversation() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        return List.of(new ChatMessage("user", "Weather?"),
                new ChatMessage("assistant", null, null, Map.of("tool_calls", json.readTree("[{\"id\":\"call_1\","
                        + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
                        + "\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]"))),
                new ChatMessage("tool", "sunny", null, Map.of("tool_call_id", json.readTree("\"call_1\""))));
    }

    @Test
    void requestMessagesPassTheirCallsAndCallIdsToTheTemplate() throws Exception {
        assertEquals("get_weather:{\"type\": \"object\"};user=Weather?;assistant=[get_weather(Oslo) {\"city\": \"Oslo\"}];"
                + "tool=sunny;", template(TOOLS).render(conversation(), WEATHER, true));
        assertEquals("call_1", template("{{ messages[2].tool_call_id }}{# mentions tools #}").render(conversation(), null, true));
    }

    @Test
    void aModelWithoutATemplateGetsTheDefaultToolFormat() throws Exception {
        String prompt = new ChatTemplate(Optional.empty(), "<s>", "</s>").render(conversation(), WEATHER, true);
        assertEquals(true, prompt.startsWith(DefaultToolFormat.INTRO + "{"), prompt);
        assertEquals(true, prompt.contains("\"name\":\"get_weather\""), prompt);
        assertEquals(true, prompt.endsWith("}\n" + DefaultToolFormat.OUTRO + "\nWeather?\n<tool_call>\n"
                + "{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}\n</tool_call>\n"
                + "<tool_response>\nsunny\n</tool_response>"), prompt);
        // without tools or tool messages nothing changes: the contents joined
        assertEquals("a\nb", new ChatTemplate(Optional.empty(), "", "").render(
                List.of(new ChatMessage("user", "a"), new ChatMessage("user", "b")), null, true));
    }

    @Test
    void aTemplateThatIgnoresToolsGetsThemInASystemMessage() throws Exception {
        String prompt = template("{% for m in messages %}{{ m.role }}:{{ m.content }}|{% endfor %}")
                .render(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi")), WEATHER, true);
        assertEquals("system:Be brief.\n\n" + DefaultToolFormat.INTRO, prompt.substring(0,
                ("system:Be brief.\n\n" + DefaultToolFormat.INTRO).length()));
        assertEquals(true, prompt.endsWith(DefaultToolFormat.OUTRO + "|user:Hi|"));
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
