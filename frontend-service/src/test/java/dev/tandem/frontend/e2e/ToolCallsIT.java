package dev.tandem.frontend.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.tandem.model.SyntheticModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tool calls through real processes on the synthetic model (random weights, no chat template: Tandem's default tool
 * format): with {@code tool_choice} {@code required} or a named function, every call's arguments follow the
 * function's parameters, over seeds and temperatures, streamed and not, disaggregated and aggregated.
 */
class ToolCallsIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ServiceProcesses processes = new ServiceProcesses();
    private static OpenAiClient disagg;
    private static OpenAiClient agg;

    private static final String WEATHER_PARAMETERS = """
            {"type":"object","properties":{
               "city":{"type":"string","minLength":1,"maxLength":12},
               "unit":{"enum":["celsius","fahrenheit"]},
               "days":{"type":"integer","minimum":1,"maximum":7}},
             "required":["city","days"],"additionalProperties":false}""";
    private static final String TIME_PARAMETERS = """
            {"type":"object","properties":{"zone":{"type":"string","maxLength":10}},"required":["zone"],
             "additionalProperties":false}""";
    private static final String TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":"
            + "\"The forecast\",\"parameters\":" + WEATHER_PARAMETERS + "}},{\"type\":\"function\",\"function\":{\"name\":"
            + "\"get_time\",\"parameters\":" + TIME_PARAMETERS + "}}]";
    private static final Map<String, String> PARAMETERS = Map.of("get_weather", WEATHER_PARAMETERS, "get_time",
            TIME_PARAMETERS);

    @BeforeAll
    static void start() {
        ServiceProcesses.BothModes modes = processes.startBothModes(Map.of(), Map.of("TANDEM_TOOL_CALL_PARSER", "hermes"), STARTUP);
        disagg = modes.disagg();
        agg = modes.agg();
    }

    @AfterAll
    static void stop() {
        processes.stopAll();
    }

    @Test
    void aNamedFunctionIsAlwaysCalledWithValidArguments() throws Exception {
        String choice = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}";
        int seed = 0;
        for (OpenAiClient client : List.of(disagg, agg)) {
            for (double temperature : new double[] {0, 0.8, 1.5}) {
                for (boolean stream : new boolean[] {false, true}) {
                    List<JsonNode> calls = call(client, TOOLS, choice, null, temperature, seed++, stream);
                    assertEquals(1, calls.size(), calls::toString);
                    assertEquals("get_weather", calls.getFirst().path("function").path("name").asText());
                    assertValidCall(calls.getFirst());
                }
            }
        }
    }

    @Test
    void requiredCallsFollowTheOneFunctionsParameters() throws Exception {
        String oneTool = "[" + JSON.readTree(TOOLS).get(1) + "]";
        int seed = 100;
        for (OpenAiClient client : List.of(disagg, agg)) {
            for (double temperature : new double[] {0, 1.0, 2.0}) {
                for (boolean stream : new boolean[] {false, true}) {
                    List<JsonNode> calls = call(client, oneTool, "\"required\"", seed % 2 == 0, temperature, seed++, stream);
                    assertFalse(calls.isEmpty());
                    for (JsonNode call : calls) {
                        assertEquals("get_time", call.path("function").path("name").asText());
                        assertValidCall(call);
                    }
                }
            }
        }
    }

    @Test
    void requiredAmongSeveralFunctionsFollowsTheCalledFunctionsParameters() throws Exception {
        int seed = 200;
        for (boolean stream : new boolean[] {false, true}) {
            for (double temperature : new double[] {0.7, 1.3}) {
                for (boolean parallel : new boolean[] {false, true}) {
                    List<JsonNode> calls = call(seed % 2 == 0 ? disagg : agg, TOOLS, "\"required\"", parallel,
                            temperature, seed++, stream);
                    assertFalse(calls.isEmpty());
                    if (!parallel) {
                        assertEquals(1, calls.size(), calls::toString);
                    }
                    for (JsonNode call : calls) {
                        assertValidCall(call);
                    }
                }
            }
        }
    }

    @Test
    void autoAcceptsAConversationWithCallsAndResults() {
        String messages = "[{\"role\":\"user\",\"content\":\"Weather in Oslo?\"},{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\",\\\"days\\\":1}\"}}]},{\"role\":\"tool\",\"tool_call_id\":"
                + "\"call_1\",\"content\":\"sunny\"}]";
        for (boolean stream : new boolean[] {false, true}) {
            String body = "{\"model\":\"" + SyntheticModel.NAME + "\",\"messages\":" + messages + ",\"tools\":" + TOOLS
                    + ",\"seed\":7,\"max_tokens\":24,\"stream\":" + stream + "}";
            if (stream) {
                OpenAiClient.Stream reply = agg.stream("/v1/chat/completions", body);
                assertEquals(200, reply.status(), () -> String.join("\n", reply.events()));
            } else {
                OpenAiClient.Reply reply = disagg.post("/v1/chat/completions", body);
                assertEquals(200, reply.status(), () -> reply.body().toString());
                // random weights write text: no call, the text is the content
                assertTrue(reply.body().path("choices").path(0).path("message").path("content").isTextual());
            }
        }
    }

    /** The calls of one reply, checked to end with finish_reason tool_calls and to carry no other content. */
    private static List<JsonNode> call(OpenAiClient client, String tools, String choice, Boolean parallel,
            double temperature, int seed, boolean stream) {
        String body = "{\"model\":\"" + SyntheticModel.NAME + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"What is the weather?\"}],\"tools\":" + tools + ",\"tool_choice\":" + choice
                + (parallel == null ? "" : ",\"parallel_tool_calls\":" + parallel) + ",\"temperature\":" + temperature
                + ",\"seed\":" + seed + ",\"max_tokens\":200,\"stream\":" + stream + "}";
        if (stream) {
            OpenAiClient.Stream reply = client.stream("/v1/chat/completions", body);
            assertEquals(200, reply.status(), () -> String.join("\n", reply.events()));
            String finish = reply.chunks().stream().map(c -> c.path("choices").path(0).path("finish_reason"))
                    .filter(JsonNode::isTextual).map(JsonNode::asText).findFirst().orElse(null);
            assertEquals("tool_calls", finish, () -> String.join("\n", reply.events()));
            assertEquals("", reply.text(), body);
            // a call's first entry names it, the later ones add pieces of its arguments, as OpenAI streams them
            List<ObjectNode> calls = new ArrayList<>();
            for (JsonNode chunk : reply.chunks()) {
                for (JsonNode entry : chunk.path("choices").path(0).path("delta").path("tool_calls")) {
                    int index = entry.path("index").asInt();
                    if (index == calls.size()) {
                        calls.add(entry.deepCopy());
                        continue;
                    }
                    assertTrue(index < calls.size() && !entry.has("id") && !entry.path("function").has("name"),
                            entry::toString);
                    ObjectNode function = (ObjectNode) calls.get(index).path("function");
                    function.put("arguments", function.path("arguments").asText()
                            + entry.path("function").path("arguments").asText());
                }
            }
            return List.<JsonNode>copyOf(calls);
        }
        OpenAiClient.Reply reply = client.post("/v1/chat/completions", body);
        assertEquals(200, reply.status(), () -> reply.body().toString());
        JsonNode choiceNode = reply.body().path("choices").path(0);
        assertEquals("tool_calls", choiceNode.path("finish_reason").asText(), () -> reply.body().toString());
        assertTrue(choiceNode.path("message").path("content").isNull(), () -> reply.body().toString());
        List<JsonNode> calls = new ArrayList<>();
        choiceNode.path("message").path("tool_calls").forEach(calls::add);
        return calls;
    }

    private static void assertValidCall(JsonNode call) throws Exception {
        assertTrue(call.path("id").asText().matches("call_[A-Za-z0-9]{24}"), call::toString);
        assertEquals("function", call.path("type").asText());
        String name = call.path("function").path("name").asText();
        String arguments = call.path("function").path("arguments").asText();
        JsonNode value;
        try {
            value = JSON.readTree(arguments);
        } catch (Exception e) {
            throw new AssertionError("arguments are not JSON: " + arguments, e);
        }
        JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(JSON.readTree(PARAMETERS.get(name)));
        Set<ValidationMessage> errors = validator.validate(value);
        assertTrue(errors.isEmpty(), () -> errors + " for " + arguments);
    }
}
