package dev.tandem.frontend.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.tandem.frontend.openai.OpenAiException;

/** The spec's §3.7 label vocabularies as the frontend produces them. */
class FrontendLabelsTest {

    private static String errorType(int status) {
        return FrontendMetrics.errorType(new OpenAiException(status, "t", null, null, "m"));
    }

    @Test
    void errorTypesFollowTheHttpStatus() {
        assertEquals("validation", errorType(400));
        assertEquals("not_found", errorType(404));
        assertEquals("overload", errorType(429));
        assertEquals("overload", errorType(503));
        assertEquals("cancelled", errorType(499));
        assertEquals("not_implemented", errorType(501));
        assertEquals("internal", errorType(500));
        assertEquals("validation", errorType(422));
        assertEquals("internal", errorType(502));
        assertEquals("internal", FrontendMetrics.errorType(new IllegalStateException("boom")));
    }

    @Test
    void errorDetailsAreDynamos() {
        assertEquals("cancelled before completion", FrontendMetrics.errorDetail("cancelled"));
        assertEquals("invalid request parameters", FrontendMetrics.errorDetail("validation"));
        assertEquals("model or resource not found", FrontendMetrics.errorDetail("not_found"));
        assertEquals("service overloaded or rate limited", FrontendMetrics.errorDetail("overload"));
        assertEquals("internal server error during processing", FrontendMetrics.errorDetail("internal"));
    }

    @Test
    void endpointAndRequestTypeValues() {
        assertEquals("chat_completions", FrontendMetrics.CHAT_COMPLETIONS);
        assertEquals("completions", FrontendMetrics.COMPLETIONS);
        assertEquals("stream", FrontendMetrics.STREAM);
        assertEquals("unary", FrontendMetrics.UNARY);
    }
}
