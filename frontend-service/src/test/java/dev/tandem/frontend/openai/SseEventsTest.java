package dev.tandem.frontend.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SseEventsTest {

    private final SseEvents sse = new SseEvents(QuarkusLikeJson.MAPPER);

    @Test
    void framesDataWithASpaceAndABlankLine() {
        assertEquals("data: {\"a\":1}\n\n", SseEvents.data("{\"a\":1}"));
    }

    @Test
    void done() {
        assertEquals("data: [DONE]\n\n", SseEvents.DONE);
    }

    @Test
    void serializesAChunk() {
        assertEquals("data: {\"id\":\"c\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"text\":\"x\",\"logprobs\":null,\"finish_reason\":null}]}\n\n",
                sse.event(CompletionChunk.text("c", 1, "m", "x")));
    }

    @Test
    void errorAfterStreamingStartedIsAnEventWithTheErrorBody() {
        assertEquals("data: {\"error\":{\"message\":\"decode worker lost\",\"type\":\"server_error\","
                + "\"param\":null,\"code\":null}}\n\n",
                sse.error(OpenAiException.internal("decode worker lost")));
    }
}
