package dev.tandem.frontend.api;

import static dev.tandem.frontend.api.UnsupportedParamsTest.MODEL;
import static dev.tandem.frontend.api.UnsupportedParamsTest.chat;
import static dev.tandem.frontend.api.UnsupportedParamsTest.post;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@code tandem.ignore-unsupported-params=true}: fields Tandem does not serve are dropped, as vLLM drops them. */
@QuarkusTest
@TestProfile(IgnoreUnsupportedParamsTest.Ignoring.class)
class IgnoreUnsupportedParamsTest {

    public static class Ignoring implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tandem.ignore-unsupported-params", "true");
        }
    }

    @Test
    void unsupportedFieldsAreIgnored() {
        // past validation: a 503, as no worker listens in these tests
        post("/v1/chat/completions", chat("\"foo\":1,\"logprobs\":true,\"response_format\":{\"type\":\"json_object\"}"))
                .statusCode(503);
        post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"hi\",\"audio\":{\"id\":\"c\"}}]}").statusCode(503);
        post("/v1/completions", UnsupportedParamsTest.completion("\"foo\":1,\"echo\":true")).statusCode(503);
        post("/tokenize", UnsupportedParamsTest.completion("\"foo\":1")).statusCode(200);
        post("/detokenize", "{\"model\":\"" + MODEL + "\",\"tokens\":[1,107],\"foo\":1}").statusCode(200)
                .body("prompt", equalTo("h"));
        post("/apply-template", chat("\"foo\":1")).statusCode(200);
    }

    @Test
    void servedFieldsAreStillChecked() {
        post("/v1/chat/completions", chat("\"foo\":1,\"n\":129")).statusCode(400).body("error.param", equalTo("n"));
    }
}
