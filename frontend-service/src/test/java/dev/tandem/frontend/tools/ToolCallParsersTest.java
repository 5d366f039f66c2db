package dev.tandem.frontend.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.frontend.tools.ToolCallParser.Call;
import dev.tandem.frontend.tools.ToolCallParser.Parsed;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ToolCallParsersTest {

    private final ToolCallParser hermes = new HermesToolParser();
    private final ToolCallParser llama = new Llama3JsonToolParser();

    @Test
    void hermesReadsOneCallAndTheTextAroundIt() {
        Parsed parsed = hermes.parse("Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                + "{\"city\": \"Paris\", \"days\": 2}}\n</tool_call>");
        assertEquals("Let me look.", parsed.content());
        assertEquals(List.of(new Call("get_weather", "{\"city\":\"Paris\",\"days\":2}")), parsed.calls());
    }

    @Test
    void hermesReadsSeveralCallsAndALastOneLeftOpen() {
        Parsed parsed = hermes.parse("<tool_call>{\"name\":\"a\",\"arguments\":{}}</tool_call>\n"
                + "<tool_call>{\"name\":\"b\",\"arguments\":\"{\\\"x\\\":1}\"}</tool_call>"
                + "<tool_call>{\"name\":\"c\"}");
        assertNull(parsed.content());
        assertEquals(List.of(new Call("a", "{}"), new Call("b", "{\"x\":1}"), new Call("c", "{}")), parsed.calls());
    }

    @Test
    void plainTextHasNoCall() {
        assertEquals(Parsed.text("Just text, {\"name\": 1}"), hermes.parse("Just text, {\"name\": 1}"));
        assertEquals(Parsed.text("Sunny today."), llama.parse("Sunny today."));
    }

    @Test
    void aMalformedCallIsText() {
        for (String text : List.of("<tool_call>{\"name\": \"a\", \"arguments\": {</tool_call>",
                "<tool_call>{\"arguments\": {}}</tool_call>", "<tool_call>[1]</tool_call>",
                "<tool_call>{\"name\":\"a\",\"arguments\":{}}</tool_call><tool_call>oops</tool_call>",
                "<tool_call>{\"name\":\"a\",\"arguments\":[1]}</tool_call>")) {
            assertEquals(Parsed.text(text), hermes.parse(text), text);
        }
        for (String text : List.of("{\"name\": \"a\", \"parameters\": {", "{\"parameters\": {}}",
                "{\"name\":\"a\",\"parameters\":{}} and then some words", "{\"name\": 3}")) {
            assertEquals(Parsed.text(text), llama.parse(text), text);
        }
    }

    @Test
    void llama3JsonReadsParametersWithOrWithoutThePythonTag() {
        assertEquals(new Parsed(null, List.of(new Call("get_weather", "{\"city\":\"Oslo\"}"))),
                llama.parse(" {\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}"));
        assertEquals(new Parsed(null, List.of(new Call("f", "{\"a\":[1,2]}"), new Call("g", "{}"))),
                llama.parse("<|python_tag|>{\"name\": \"f\", \"arguments\": {\"a\": [1, 2]}}; {\"name\": \"g\"}"));
    }

    @Test
    void streamingHoldsOnlyWhatMayBeACall() {
        assertEquals(5, hermes.textPrefix("Hello<tool_call>{\"na"));
        assertEquals(6, hermes.textPrefix("Hello <tool_"));
        assertEquals(6, hermes.textPrefix("Hello <"));
        assertEquals(11, hermes.textPrefix("Hello there"));
        assertEquals(0, llama.textPrefix("  {\"name\""));
        assertEquals(0, llama.textPrefix("<|python"));
        assertEquals(0, llama.textPrefix(" "));
        assertEquals(5, llama.textPrefix("Hello"));
    }

    @Test
    void theParserIsConfiguredOrChosenByTheTemplate() {
        assertInstanceOf(HermesToolParser.class, ToolCallParsers.of("hermes", Optional.empty()));
        assertInstanceOf(Llama3JsonToolParser.class, ToolCallParsers.of("llama3_json", Optional.empty()));
        assertInstanceOf(HermesToolParser.class, ToolCallParsers.of("auto",
                Optional.of("{% for tool in tools %}{{ tool | tojson }}{% endfor %}<tool_call>")));
        assertInstanceOf(Llama3JsonToolParser.class, ToolCallParsers.of("auto",
                Optional.of("{{- '<|start_header_id|>ipython<|end_header_id|>' }}")));
        assertInstanceOf(HermesToolParser.class, ToolCallParsers.of("auto", Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> ToolCallParsers.of("mistral", Optional.empty()));
    }
}
