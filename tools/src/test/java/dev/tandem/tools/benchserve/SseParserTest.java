package dev.tandem.tools.benchserve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SseParserTest {

    private static List<String> events(String body) {
        SseParser parser = new SseParser();
        List<String> events = new ArrayList<>();
        for (String line : body.split("\n", -1)) {
            String event = parser.feed(line);
            if (event != null) {
                events.add(event);
            }
        }
        String last = parser.flush();
        if (last != null) {
            events.add(last);
        }
        return events;
    }

    @Test
    void eventsEndAtBlankLines() {
        assertEquals(List.of("{\"a\":1}", "{\"b\":2}", "[DONE]"),
                events("data: {\"a\":1}\n\ndata: {\"b\":2}\n\n\ndata: [DONE]\n\n"));
    }

    @Test
    void crlfCommentsOtherFieldsAndMissingSpace() {
        assertEquals(List.of("x", "y"), events(": keep-alive\r\n\r\nevent: message\r\nid: 3\r\ndata:x\r\n\r\ndata: y\r\n\r\n"));
    }

    @Test
    void multiLineDataIsJoinedAndATrailingEventIsFlushed() {
        assertEquals(List.of("one\ntwo", "last"), events("data: one\ndata: two\n\ndata: last"));
        assertNull(new SseParser().flush());
    }

    @Test
    void completionStreamIsTimedFromItsTextChunks() throws Exception {
        OpenAiStreamClient client = new OpenAiStreamClient("http://unused", OpenAiStreamClient.Api.CHAT, "m", null,
                java.time.Duration.ofSeconds(1));
        String body = """
                data: {"choices":[{"index":0,"delta":{"role":"assistant"}}],"usage":null}

                data: {"choices":[{"index":0,"delta":{"content":"Once"}}],"usage":null}

                data: {"choices":[{"index":0,"delta":{"content":" upon"}}],"usage":null}

                data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}],"usage":null}

                data: {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}

                data: [DONE]

                """;
        RequestResult result = client.read(List.of(body.split("\n", -1)).iterator(), System.nanoTime(), 0);
        assertTrue(result.success(), result.error());
        assertEquals(2, result.chunkTimes().size()); // the role-only opening chunk is no token
        assertEquals(7, result.promptTokens());
        assertEquals(2, result.outputTokens());
        assertEquals(result.chunkTimes().getFirst(), result.ttft());
    }

    @Test
    void anErrorInTheStreamFailsTheRequest() throws Exception {
        OpenAiStreamClient client = new OpenAiStreamClient("http://unused", OpenAiStreamClient.Api.COMPLETIONS, "m", null,
                java.time.Duration.ofSeconds(1));
        String body = "data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: {\"error\":{\"message\":\"worker lost\"}}\n\n";
        RequestResult result = client.read(List.of(body.split("\n", -1)).iterator(), System.nanoTime(), 0);
        assertFalse(result.success());
        assertTrue(result.error().contains("worker lost"), result.error());
    }
}
