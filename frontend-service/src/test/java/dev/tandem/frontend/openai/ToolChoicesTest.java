package dev.tandem.frontend.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ToolChoicesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEATHER = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
            + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}";
    private static final String TIME = "{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}";

    private static ChatCompletionRequest request(String extra) throws Exception {
        return QuarkusLikeJson.read("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]" + extra + "}",
                ChatCompletionRequest.class);
    }

    private static ToolChoices choices(String extra) throws Exception {
        return ToolChoices.of(request(extra).otherFields());
    }

    @Test
    void noToolsMeansNoneAndToolsMeanAuto() throws Exception {
        assertEquals(ToolChoices.Mode.NONE, choices("").mode());
        assertFalse(choices(",\"tools\":[],\"tool_choice\":\"none\"").offered());
        ToolChoices auto = choices(",\"tools\":[" + WEATHER + "]");
        assertEquals(ToolChoices.Mode.AUTO, auto.mode());
        assertTrue(auto.offered());
        assertNull(auto.schema());
        assertNull(RequestValidator.validate(request(",\"tools\":[" + WEATHER + "]")).jsonSchema());
        assertFalse(choices(",\"tools\":[" + WEATHER + "],\"tool_choice\":\"none\"").offered());
    }

    @Test
    void aNamedFunctionIsConstrainedToItsParameters() throws Exception {
        String extra = ",\"tools\":[" + WEATHER + "," + TIME + "],\"tool_choice\":{\"type\":\"function\",\"function\":"
                + "{\"name\":\"get_weather\"}}";
        assertEquals(JSON.readTree(WEATHER).path("function").path("parameters"),
                JSON.readTree(RequestValidator.validate(request(extra)).jsonSchema()));
        // a function without parameters takes any object
        assertEquals(JSON.readTree("{\"type\":\"object\"}"), JSON.readTree(choices(",\"tools\":[" + TIME
                + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}").schema()));
    }

    @Test
    void requiredIsAnArrayOfCallsEachFollowingItsOwnFunction() throws Exception {
        JsonNode one = JSON.readTree(choices(",\"tools\":[" + WEATHER + "],\"tool_choice\":\"required\"").schema());
        assertEquals(JSON.readTree("""
                {"type":"array","minItems":1,"items":{"anyOf":[{"type":"object","properties":{"name":{"const":"get_weather"},
                "arguments":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
                "required":["name","arguments"],"additionalProperties":false}]}}"""), one);
        JsonNode several = JSON.readTree(choices(",\"tools\":[" + WEATHER + "," + TIME
                + "],\"tool_choice\":\"required\",\"parallel_tool_calls\":false").schema());
        assertEquals(1, several.path("maxItems").asInt());
        JsonNode alternatives = several.path("items").path("anyOf");
        assertEquals("get_weather", alternatives.path(0).path("properties").path("name").path("const").asText());
        assertEquals(JSON.readTree(WEATHER).path("function").path("parameters"),
                alternatives.path(0).path("properties").path("arguments"));
        assertEquals("get_time", alternatives.path(1).path("properties").path("name").path("const").asText());
        assertEquals(JSON.readTree("{\"type\":\"object\"}"), alternatives.path(1).path("properties").path("arguments"));
    }

    @Test
    void definitionsOfSeveralFunctionsKeepTheirOwnNames() throws Exception {
        String a = "{\"type\":\"function\",\"function\":{\"name\":\"a\",\"parameters\":{\"$defs\":{\"p\":{\"type\":"
                + "\"integer\"}},\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":\"#/$defs/p\"}}}}}";
        String b = "{\"type\":\"function\",\"function\":{\"name\":\"b\",\"parameters\":{\"definitions\":{\"p\":{\"type\":"
                + "\"string\"}},\"type\":\"object\",\"properties\":{\"y\":{\"$ref\":\"#/definitions/p\"}}}}}";
        JsonNode schema = JSON.readTree(choices(",\"tools\":[" + a + "," + b + "],\"tool_choice\":\"required\"").schema());
        assertEquals(JSON.readTree("{\"f0.p\":{\"type\":\"integer\"},\"f1.p\":{\"type\":\"string\"}}"), schema.path("$defs"));
        JsonNode alternatives = schema.path("items").path("anyOf");
        assertEquals("#/$defs/f0.p", alternatives.path(0).at("/properties/arguments/properties/x/$ref").asText());
        assertEquals("#/$defs/f1.p", alternatives.path(1).at("/properties/arguments/properties/y/$ref").asText());
        assertFalse(alternatives.path(1).path("properties").path("arguments").has("definitions"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tools | ,\"tools\":{}",
        "tools[0].type | ,\"tools\":[{\"type\":\"code\",\"function\":{\"name\":\"f\"}}]",
        "tools[0].function | ,\"tools\":[{\"type\":\"function\"}]",
        "tools[0].function.name | ,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a b\"}}]",
        "tools[1].function.name | ,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}},{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]",
        "tools[0].function.parameters | ,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":[]}}]",
        "tools[0].function.parameters | ,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"string\",\"pattern\":\"a\"}}}],\"tool_choice\":\"required\"",
        "tool_choice | ,\"tool_choice\":\"required\"",
        "tool_choice | ,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":\"always\"",
        "tool_choice.type | ,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":{\"type\":\"x\"}",
        "tool_choice.function.name | ,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"g\"}}",
        "parallel_tool_calls | ,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"parallel_tool_calls\":\"yes\"",
        "response_format | ,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":\"required\",\"response_format\":{\"type\":\"json_object\"}",
        "messages[1].tool_call_id | ,\"foo\":null,\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"tool\",\"content\":\"b\"}]",
        "messages[0].tool_calls | ,\"messages\":[{\"role\":\"user\",\"content\":\"a\",\"tool_calls\":[]}]",
        "messages[1].tool_calls[0].function.name | ,\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{}}]}]",
        })
    void badShapesAreRefusedByName(String param, String extra) {
        String json = extra.startsWith(",\"messages\"") || extra.startsWith(",\"foo\"")
                ? "{\"model\":\"m\"" + extra + "}"
                : "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]" + extra + "}";
        OpenAiException error = assertThrows(OpenAiException.class,
                () -> RequestValidator.validate(QuarkusLikeJson.read(json, ChatCompletionRequest.class)));
        assertEquals(400, error.status());
        assertEquals(param, error.param(), error.getMessage());
    }

    @Test
    void aConversationWithCallsAndResultsIsAccepted() throws Exception {
        RequestValidator.validate(QuarkusLikeJson.read("""
                {"model":"m","messages":[{"role":"user","content":"Weather in Paris?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"sunny"}],
                 "tools":[%s],"tool_choice":"auto","parallel_tool_calls":true}""".formatted(WEATHER),
                ChatCompletionRequest.class));
    }
}
