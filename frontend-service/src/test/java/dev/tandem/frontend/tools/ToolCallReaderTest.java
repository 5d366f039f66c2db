package dev.tandem.frontend.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.frontend.openai.ChatCompletionChunk;
import dev.tandem.frontend.openai.ChatCompletionResponse;
import dev.tandem.frontend.openai.ToolCall;
import dev.tandem.frontend.openai.ToolChoices;
import dev.tandem.frontend.openai.Usage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolCallReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ToolChoices choices(String choice) throws Exception {
        return ToolChoices.of(Map.of("tools", JSON.readTree("[{\"type\":\"function\",\"function\":{\"name\":\"f\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}}}}}]"),
                "tool_choice", JSON.readTree(choice)));
    }

    @Test
    void wholeAutoReplyWithACallHasToolCallsAndNullContent() throws Exception {
        ToolCallReader reader = new ToolCallReader(choices("\"auto\""), new HermesToolParser());
        ToolCallReader.Outcome outcome = reader.whole("<tool_call>{\"name\":\"f\",\"arguments\":{\"x\":1}}</tool_call>", "stop");
        assertEquals("tool_calls", outcome.finishReason());
        assertNull(outcome.content());
        ToolCall call = outcome.calls().getFirst();
        assertTrue(call.id().matches("call_[A-Za-z0-9]{24}"), call.id());
        assertEquals(new ToolCall.Function("f", "{\"x\":1}"), call.function());

        JsonNode body = JSON.valueToTree(ChatCompletionResponse.ofToolCalls("chatcmpl-1", 1, "m", outcome.content(),
                outcome.calls(), outcome.finishReason(), Usage.of(1, 2, 0)));
        JsonNode message = body.path("choices").path(0).path("message");
        assertTrue(message.has("content") && message.get("content").isNull(), body::toString);
        assertEquals("function", message.path("tool_calls").path(0).path("type").asText());
        assertEquals("{\"x\":1}", message.path("tool_calls").path(0).path("function").path("arguments").asText());
        assertTrue(message.path("tool_calls").path(0).path("index").isMissingNode());
        assertEquals("tool_calls", body.path("choices").path(0).path("finish_reason").asText());
        // a reply without calls keeps its shape: no tool_calls key
        JsonNode plain = JSON.valueToTree(ChatCompletionResponse.of("c", 1, "m", "hi", "stop", Usage.of(1, 1, 0)));
        assertTrue(plain.path("choices").path(0).path("message").path("tool_calls").isMissingNode());
    }

    @Test
    void wholeAutoReplyWithoutACallIsText() throws Exception {
        ToolCallReader.Outcome outcome = new ToolCallReader(choices("\"auto\""), new HermesToolParser())
                .whole("no call <tool_call>{oops</tool_call>", "length");
        assertEquals(new ToolCallReader.Outcome("no call <tool_call>{oops</tool_call>", List.of(), "length"), outcome);
    }

    @Test
    void streamedTextGoesOutAtOnceAndTheCallWhenComplete() throws Exception {
        ToolCallReader reader = new ToolCallReader(choices("\"auto\""), new HermesToolParser());
        assertEquals("Sure", reader.next("Sure", null).content());
        assertEquals(". ", reader.next(". <tool", null).content());
        assertEquals("", reader.next("_call>{\"name\":\"f\",", null).content());
        ToolCallReader.Step last = reader.next("\"arguments\":{\"x\":2}}</tool_call>", "stop");
        assertEquals("", last.content());
        assertEquals("tool_calls", last.finishReason());
        assertEquals(0, last.calls().getFirst().index());

        JsonNode chunk = JSON.valueToTree(ChatCompletionChunk.toolCalls("chatcmpl-1", 1, "m", last.calls()));
        JsonNode delta = chunk.path("choices").path(0).path("delta");
        assertTrue(delta.path("content").isMissingNode() && delta.path("role").isMissingNode(), chunk::toString);
        JsonNode call = delta.path("tool_calls").path(0);
        assertEquals(0, call.path("index").asInt());
        assertTrue(call.path("id").asText().startsWith("call_"));
        assertEquals("function", call.path("type").asText());
        assertEquals("f", call.path("function").path("name").asText());
        assertEquals("{\"x\":2}", call.path("function").path("arguments").asText());
    }

    @Test
    void aStreamThatTurnsOutToHoldNoCallSendsTheHeldText() throws Exception {
        ToolCallReader reader = new ToolCallReader(choices("\"auto\""), new HermesToolParser());
        assertEquals("a ", reader.next("a <tool_call>{", null).content());
        ToolCallReader.Step last = reader.next("bad", "length");
        assertEquals("<tool_call>{bad", last.content());
        assertEquals("length", last.finishReason());
        assertTrue(last.calls().isEmpty());
    }

    @Test
    void withoutParallelCallsOnlyTheFirstIsReturned() throws Exception {
        ToolChoices one = ToolChoices.of(Map.of("tools", JSON.readTree("[{\"type\":\"function\",\"function\":"
                + "{\"name\":\"f\"}}]"), "parallel_tool_calls", JSON.readTree("false")));
        String two = "<tool_call>{\"name\":\"f\",\"arguments\":{\"a\":1}}</tool_call>"
                + "<tool_call>{\"name\":\"f\",\"arguments\":{}}</tool_call>";
        List<ToolCall> calls = new ToolCallReader(one, new HermesToolParser()).whole(two, "stop").calls();
        assertEquals(1, calls.size());
        assertEquals("{\"a\":1}", calls.getFirst().function().arguments());
        assertEquals(2, new ToolCallReader(choices("\"auto\""), new HermesToolParser()).whole(two, "stop").calls().size());
    }

    @Test
    void forcedChoicesReadTheConstrainedJson() throws Exception {
        ToolCallReader named = new ToolCallReader(choices("{\"type\":\"function\",\"function\":{\"name\":\"f\"}}"),
                new HermesToolParser());
        assertEquals("", named.next("{\"x\":", null).content());
        ToolCallReader.Step step = named.next(" 3}", "stop");
        assertEquals("f", step.calls().getFirst().function().name());
        assertEquals("{\"x\":3}", step.calls().getFirst().function().arguments());
        assertEquals("tool_calls", step.finishReason());

        ToolCallReader.Outcome required = new ToolCallReader(choices("\"required\""), new HermesToolParser())
                .whole("[{\"name\":\"f\",\"arguments\":{\"x\":1}},{\"name\":\"f\",\"arguments\":{}}]", "stop");
        assertEquals(2, required.calls().size());
        assertEquals("tool_calls", required.finishReason());
    }
}
