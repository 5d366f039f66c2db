package dev.tandem.frontend.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrorBodyTest {

    @Test
    void hasExactlyOpenAisShapeWithNullKeysPresent() {
        assertEquals("{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}",
                QuarkusLikeJson.write(ErrorBody.from(OpenAiException.internal("boom"))));
    }

    @Test
    void badRequestNamesTheParam() {
        OpenAiException error = OpenAiException.badRequest("top_p", "bad");
        assertEquals(400, error.status());
        assertEquals("{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":\"top_p\","
                + "\"code\":null}}", QuarkusLikeJson.write(ErrorBody.from(error)));
    }

    @Test
    void factoriesFollowOpenAiConventions() {
        OpenAiException model = OpenAiException.modelNotFound("gpt-9");
        assertEquals(404, model.status());
        assertEquals("invalid_request_error", model.type());
        assertEquals("model", model.param());
        assertEquals("model_not_found", model.code());
        assertEquals("The model `gpt-9` does not exist.", model.getMessage());

        assertEquals(404, OpenAiException.notFound("x").status());
        assertEquals(null, OpenAiException.notFound("x").code());

        OpenAiException unavailable = OpenAiException.serviceUnavailable("no decode worker");
        assertEquals(503, unavailable.status());
        assertEquals("server_error", unavailable.type());
        assertEquals("service_unavailable", unavailable.code());

        assertEquals(500, OpenAiException.internal("x").status());
        assertEquals("server_error", OpenAiException.internal("x").type());
    }
}
