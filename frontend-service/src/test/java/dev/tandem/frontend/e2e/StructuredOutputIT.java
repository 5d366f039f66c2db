package dev.tandem.frontend.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.tandem.model.SyntheticModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * response_format through real processes on the synthetic model (random weights): every output parses and follows
 * its schema, over many seeds and temperatures, streamed and not, chat and completions, disaggregated (the first
 * token constrained on the prefill worker) and aggregated.
 */
class StructuredOutputIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ServiceProcesses processes = new ServiceProcesses();
    private static OpenAiClient disagg;
    private static OpenAiClient agg;

    static final List<String> SCHEMAS = List.of(
            """
            {"type":"object","properties":{
               "name":{"type":"string","minLength":1,"maxLength":10},
               "age":{"type":"integer","minimum":0,"maximum":150},
               "height":{"type":"number"},
               "vip":{"type":"boolean"},
               "none":{"type":"null"},
               "tags":{"type":"array","items":{"type":"string","maxLength":4},"minItems":1,"maxItems":3},
               "color":{"enum":["red","green",3]},
               "kind":{"const":"person"},
               "home":{"type":"object","properties":{"city":{"type":"string","maxLength":8},
                   "zip":{"type":"integer","minimum":1000,"maximum":9999}},"required":["zip"],"additionalProperties":false}},
             "required":["name","age","tags","home","kind"],"additionalProperties":false}
            """,
            """
            {"type":"array","items":{"type":"object","properties":{"x":{"type":"integer","minimum":-5,"maximum":5},
              "ok":{"type":["boolean","null"]}},"required":["x","ok"]},"minItems":1,"maxItems":3}
            """);

    @BeforeAll
    static void start() {
        ServiceProcesses.BothModes modes = processes.startBothModes(Map.of(), Map.of(), STARTUP);
        disagg = modes.disagg();
        agg = modes.agg();
    }

    @AfterAll
    static void stop() {
        processes.stopAll();
    }

    @Test
    void jsonObjectAlwaysParsesAsAnObject() throws Exception {
        int seed = 0;
        for (OpenAiClient client : List.of(disagg, agg)) {
            for (double temperature : new double[] {0, 0.7, 1.0, 1.5}) {
                for (boolean stream : new boolean[] {false, true}) {
                    String format = "{\"type\":\"json_object\"}";
                    String text = chat(client, format, temperature, seed++, stream, 200);
                    assertValid("{\"type\":\"object\"}", text);
                }
            }
        }
    }

    @Test
    void jsonSchemaOutputsFollowTheirSchema() throws Exception {
        int seed = 100;
        for (String schema : SCHEMAS) {
            String format = "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"t\",\"strict\":true,\"schema\":"
                    + JSON.readTree(schema) + "}}";
            for (OpenAiClient client : List.of(disagg, agg)) {
                for (double temperature : new double[] {0, 0.8, 1.2, 2.0}) {
                    for (boolean stream : new boolean[] {false, true}) {
                        assertValid(schema, chat(client, format, temperature, seed++, stream, 300));
                        assertValid(schema, completion(client, format, temperature, seed++, stream, 300));
                    }
                }
            }
        }
    }

    @Test
    void aSmallMaxTokensStillClosesTheJson() throws Exception {
        String schema = SCHEMAS.getFirst();
        String format = "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"t\",\"schema\":" + JSON.readTree(schema) + "}}";
        for (int seed = 0; seed < 6; seed++) {
            assertValid(schema, chat(seed % 2 == 0 ? disagg : agg, format, 1.0, seed, seed % 3 == 0, 90 + seed));
        }
    }

    private static String chat(OpenAiClient client, String format, double temperature, int seed, boolean stream,
            int maxTokens) {
        String body = "{\"model\":\"" + SyntheticModel.NAME + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Give JSON\"}],"
                + "\"response_format\":" + format + ",\"temperature\":" + temperature + ",\"seed\":" + seed
                + ",\"max_tokens\":" + maxTokens + ",\"stream\":" + stream + "}";
        return run(client, "/v1/chat/completions", body, stream, "message");
    }

    private static String completion(OpenAiClient client, String format, double temperature, int seed, boolean stream,
            int maxTokens) {
        String body = "{\"model\":\"" + SyntheticModel.NAME + "\",\"prompt\":\"JSON:\",\"response_format\":" + format
                + ",\"temperature\":" + temperature + ",\"seed\":" + seed + ",\"max_tokens\":" + maxTokens
                + ",\"stream\":" + stream + "}";
        return run(client, "/v1/completions", body, stream, null);
    }

    private static String run(OpenAiClient client, String path, String body, boolean stream, String message) {
        if (stream) {
            OpenAiClient.Stream reply = client.stream(path, body);
            assertEquals(200, reply.status(), () -> String.join("\n", reply.events()));
            String finish = reply.chunks().stream().map(c -> c.path("choices").path(0).path("finish_reason"))
                    .filter(JsonNode::isTextual).map(JsonNode::asText).findFirst().orElse(null);
            assertEquals("stop", finish, body);
            return reply.text();
        }
        OpenAiClient.Reply reply = client.post(path, body);
        assertEquals(200, reply.status(), () -> reply.body().toString());
        JsonNode choice = reply.body().path("choices").path(0);
        assertEquals("stop", choice.path("finish_reason").asText(), () -> reply.body().toString());
        return message != null ? choice.path(message).path("content").asText() : choice.path("text").asText();
    }

    static void assertValid(String schema, String text) throws Exception {
        JsonNode value;
        try {
            value = JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
        assertTrue(value != null && !value.isMissingNode(), "empty output");
        JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(JSON.readTree(schema));
        Set<ValidationMessage> errors = validator.validate(value);
        assertTrue(errors.isEmpty(), () -> errors + " for " + text);
    }
}
