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
import java.util.ArrayList;
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

    /** What a client makes of a stream: the content, and each call's entries merged (arguments concatenated). */
    private record Streamed(String content, List<ToolCall> calls, String finishReason, int callsBeforeTheEnd) {
    }

    /** Feeds {@code output} one character at a time, as the smallest tokens would come. */
    private static Streamed stream(ToolCallReader reader, String output, String finishReason) {
        StringBuilder content = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        int beforeTheEnd = 0;
        String reason = null;
        for (int i = 0; i < output.length(); i++) {
            boolean last = i == output.length() - 1;
            ToolCallReader.Step step = reader.next(output.substring(i, i + 1), last ? finishReason : null);
            content.append(step.content());
            for (ToolCall entry : step.calls()) {
                if (entry.index() == calls.size()) {
                    assertTrue(entry.id().startsWith("call_"), entry::toString);
                    assertEquals("function", entry.type());
                    calls.add(entry);
                    beforeTheEnd += last ? 0 : 1;
                } else {
                    ToolCall so = calls.get(entry.index());
                    assertNull(entry.id());
                    assertNull(entry.function().name());
                    calls.set(entry.index(), new ToolCall(so.index(), so.id(), so.type(), new ToolCall.Function(
                            so.function().name(), so.function().arguments() + entry.function().arguments())));
                }
            }
            reason = step.finishReason();
        }
        return new Streamed(content.toString(), calls, reason, beforeTheEnd);
    }

    @Test
    void streamedTextGoesOutAtOnceAndCallsAsTheyAreWritten() throws Exception {
        String output = "Sure. <tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris, \\\"FR\\\" {[\","
                + " \"days\": [1, {\"d\": 2}]}}\n</tool_call>\n<tool_call>{\"arguments\": {}, \"name\": \"g\"}</tool_call>";
        Streamed streamed = stream(new ToolCallReader(choices("\"auto\""), new HermesToolParser()), output, "stop");
        assertEquals("Sure. ", streamed.content());
        assertEquals("tool_calls", streamed.finishReason());
        assertEquals(2, streamed.calls().size(), streamed::toString);
        assertEquals(2, streamed.callsBeforeTheEnd());
        assertEquals("get_weather", streamed.calls().get(0).function().name());
        assertEquals(JSON.readTree("{\"city\": \"Paris, \\\"FR\\\" {[\", \"days\": [1, {\"d\": 2}]}"),
                JSON.readTree(streamed.calls().get(0).function().arguments()));
        assertEquals("g", streamed.calls().get(1).function().name());
        assertEquals("{}", streamed.calls().get(1).function().arguments());
        assertTrue(!streamed.calls().get(0).id().equals(streamed.calls().get(1).id()));

        // the wire form of a call's first entry and of a later piece
        JsonNode first = JSON.valueToTree(ChatCompletionChunk.toolCalls("chatcmpl-1", 1, "m",
                List.of(new ToolCall(0, "call_1", "function", new ToolCall.Function("f", "{\"x\":")))));
        JsonNode delta = first.path("choices").path(0).path("delta");
        assertTrue(delta.path("content").isMissingNode() && delta.path("role").isMissingNode(), first::toString);
        assertEquals(JSON.readTree("{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
                + "\"arguments\":\"{\\\"x\\\":\"}}"), delta.path("tool_calls").path(0));
        JsonNode piece = JSON.valueToTree(ChatCompletionChunk.toolCalls("chatcmpl-1", 1, "m",
                List.of(new ToolCall(0, null, null, new ToolCall.Function(null, " 3}")))));
        assertEquals(JSON.readTree("{\"index\":0,\"function\":{\"arguments\":\" 3}\"}}"),
                piece.path("choices").path(0).path("delta").path("tool_calls").path(0));
    }

    @Test
    void llama3CallsAndConstrainedArraysStreamToo() throws Exception {
        Streamed llama = stream(new ToolCallReader(choices("\"auto\""), new Llama3JsonToolParser()),
                "<|python_tag|>{\"name\": \"f\", \"parameters\": {\"x\": 1}}; {\"name\": \"g\", \"parameters\": {}}", "stop");
        assertEquals(List.of("f", "g"), llama.calls().stream().map(c -> c.function().name()).toList());
        assertEquals("{\"x\": 1}", llama.calls().get(0).function().arguments());
        assertEquals("tool_calls", llama.finishReason());

        Streamed required = stream(new ToolCallReader(choices("\"required\""), new HermesToolParser()),
                "[{\"name\":\"f\",\"arguments\":{\"x\":[1,{\"y\":\"]}\"}]}}, {\"name\":\"f\",\"arguments\":{}}]", "stop");
        assertEquals(2, required.calls().size());
        assertEquals(2, required.callsBeforeTheEnd());
        assertEquals("{\"x\":[1,{\"y\":\"]}\"}]}", required.calls().get(0).function().arguments());
        assertEquals("", required.content());

        Streamed named = stream(new ToolCallReader(choices("{\"type\":\"function\",\"function\":{\"name\":\"f\"}}"),
                new HermesToolParser()), "{\"x\": 3}", "stop");
        assertEquals(1, named.calls().size());
        assertEquals(1, named.callsBeforeTheEnd());
        assertEquals("f", named.calls().getFirst().function().name());
        assertEquals("{\"x\": 3}", named.calls().getFirst().function().arguments());
        assertEquals("tool_calls", named.finishReason());
    }

    @Test
    void aCallCutShortStaysAsStreamed() throws Exception {
        Streamed cut = stream(new ToolCallReader(choices("\"auto\""), new HermesToolParser()),
                "<tool_call>{\"name\": \"f\", \"arguments\": {\"x\": 12", "length");
        assertEquals("", cut.content());
        assertEquals("length", cut.finishReason());
        assertEquals("{\"x\": 12", cut.calls().getFirst().function().arguments());

        // a streamed call followed by text the parser refuses: the call stands, and the reason says so
        Streamed refused = stream(new ToolCallReader(choices("\"auto\""), new HermesToolParser()),
                "<tool_call>{\"name\": \"f\", \"arguments\": {\"x\": 1}} oops</tool_call>", "stop");
        assertEquals("tool_calls", refused.finishReason());
        assertEquals("{\"x\": 1}", refused.calls().getFirst().function().arguments());
    }

    @Test
    void withoutParallelCallsOnlyTheFirstIsStreamed() throws Exception {
        ToolChoices one = ToolChoices.of(Map.of("tools", JSON.readTree("[{\"type\":\"function\",\"function\":"
                + "{\"name\":\"f\"}}]"), "parallel_tool_calls", JSON.readTree("false")));
        Streamed streamed = stream(new ToolCallReader(one, new HermesToolParser()),
                "<tool_call>{\"name\":\"f\",\"arguments\":{\"a\":1}}</tool_call><tool_call>{\"name\":\"f\",\"arguments\":{}}</tool_call>",
                "stop");
        assertEquals(1, streamed.calls().size());
        assertEquals("{\"a\":1}", streamed.calls().getFirst().function().arguments());
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
        ToolCallReader.Outcome named = new ToolCallReader(choices("{\"type\":\"function\",\"function\":{\"name\":\"f\"}}"),
                new HermesToolParser()).whole("{\"x\": 3}", "stop");
        assertEquals("f", named.calls().getFirst().function().name());
        assertEquals("{\"x\":3}", named.calls().getFirst().function().arguments());
        assertEquals("tool_calls", named.finishReason());

        ToolCallReader.Outcome required = new ToolCallReader(choices("\"required\""), new HermesToolParser())
                .whole("[{\"name\":\"f\",\"arguments\":{\"x\":1}},{\"name\":\"f\",\"arguments\":{}}]", "stop");
        assertEquals(2, required.calls().size());
        assertEquals("tool_calls", required.finishReason());
    }
}
