package dev.tandem.frontend.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Frames OpenAI server-sent events by hand, {@code data: <json>\n\n} with a space after the colon as
 * OpenAI writes it (Quarkus' own SSE writer omits the space), and serializes their payloads with the
 * application's {@link ObjectMapper}.
 */
@ApplicationScoped
public class SseEvents {

    /** The last event of a successful stream. */
    public static final String DONE = "data: [DONE]\n\n";

    private final ObjectMapper objectMapper;

    public SseEvents(ObjectMapper objectMapper) {
        this.objectMapper = objectMapper;
    }

    /** One event carrying already-serialized JSON. */
    public static String data(String json) {
        return "data: " + json + "\n\n";
    }

    /** One event carrying {@code payload} (a chunk) as JSON. */
    public String event(Object payload) {
        return data(json(payload));
    }

    /**
     * An error after the stream has started, when the status can no longer change: an event holding
     * the OpenAI error body, as OpenAI and vLLM send it. {@link #DONE} follows it, as vLLM sends it.
     */
    public String error(OpenAiException error) {
        return event(ErrorBody.from(error));
    }

    /** {@code payload} as JSON, for a non-streamed body. */
    public String json(Object payload) {
        try {
            return objectMapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            // Our payloads are plain records: failing to serialize one is a bug, not a client error.
            throw new IllegalStateException("cannot serialize " + payload.getClass().getSimpleName(), e);
        }
    }
}
