package dev.tandem.frontend.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.tandem.model.SyntheticModel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/**
 * {@code POST /tokenize} and {@code /detokenize} on the built-in synthetic model: a byte-level vocabulary
 * ({@code <unk>}, {@code <s>}, {@code </s>}, then the 256 bytes), BOS added, a 2048-token context, no chat template
 * (messages are joined by newlines).
 */
@QuarkusTest
class TokenizeTest {

    private static final String MODEL = SyntheticModel.NAME;

    private static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path).then().contentType(ContentType.JSON);
    }

    private static List<Integer> tokens(String body) {
        return post("/tokenize", body).statusCode(200).extract().jsonPath().getList("tokens", Integer.class);
    }

    @Test
    void promptRoundTrips() {
        String text = "Once upon a time, naïve ✓";
        ValidatableResponse tokenized = post("/tokenize", "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + text + "\"}")
                .statusCode(200)
                .body("max_model_len", equalTo(2048))
                .body("tokens[0]", equalTo(1)); // BOS
        List<Integer> ids = tokenized.extract().jsonPath().getList("tokens", Integer.class);
        tokenized.body("count", equalTo(ids.size()));
        // one token a UTF-8 byte, plus BOS
        assertEquals(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1, ids.size());
        post("/detokenize", "{\"model\":\"" + MODEL + "\",\"tokens\":" + ids + "}").statusCode(200)
                .body("prompt", equalTo(text));
    }

    @Test
    void addSpecialTokensFalseLeavesOutBos() {
        assertEquals(List.of(107, 108), tokens("{\"model\":\"" + MODEL + "\",\"prompt\":\"hi\","
                + "\"add_special_tokens\":false}"));
        assertEquals(List.of(1, 107, 108), tokens("{\"prompt\":\"hi\"}")); // model optional, as in vLLM
    }

    @Test
    void messagesAreTokenizedAsAChatRequestIs() {
        String messages = "\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"}]";
        // no chat template: the contents joined by newlines, BOS added as for a chat request
        assertEquals(tokens("{\"model\":\"" + MODEL + "\",\"prompt\":\"Be brief.\\nHi\"}"),
                tokens("{\"model\":\"" + MODEL + "\"," + messages + "}"));
        assertEquals(tokens("{\"model\":\"" + MODEL + "\",\"prompt\":\"Be brief.\\nHi\",\"add_special_tokens\":false}"),
                tokens("{\"model\":\"" + MODEL + "\"," + messages + ",\"add_generation_prompt\":false,"
                        + "\"add_special_tokens\":false}"));
    }

    @Test
    void detokenizeOfNothingIsEmpty() {
        post("/detokenize", "{\"tokens\":[]}").statusCode(200).body("prompt", equalTo(""));
    }

    @Test
    void errorsAreOpenAiErrors() {
        post("/tokenize", "{\"model\":\"gpt-5\",\"prompt\":\"hi\"}").statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("model"))
                .body("error.message", containsString("gpt-5"));
        post("/detokenize", "{\"model\":\"gpt-5\",\"tokens\":[1]}").statusCode(400).body("error.param", equalTo("model"));
        post("/tokenize", "{\"model\":\"" + MODEL + "\"}").statusCode(400).body("error.param", equalTo("prompt"));
        post("/tokenize", "{\"model\":\"" + MODEL + "\",\"prompt\":\"a\",\"messages\":[]}").statusCode(400)
                .body("error.param", equalTo("messages"));
        post("/tokenize", "{\"model\":\"" + MODEL + "\",\"messages\":[]}").statusCode(400)
                .body("error.param", equalTo("messages"));
        post("/tokenize", "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"function\",\"content\":\"x\"}]}")
                .statusCode(400).body("error.param", equalTo("messages[0].role"));
        post("/tokenize", "{\"model\":\"" + MODEL + "\",\"prompt\":7}").statusCode(400)
                .body("error.param", equalTo("prompt"));
        post("/detokenize", "{\"model\":\"" + MODEL + "\"}").statusCode(400).body("error.param", equalTo("tokens"));
        post("/detokenize", "{\"model\":\"" + MODEL + "\",\"tokens\":[1,260]}").statusCode(400)
                .body("error.param", equalTo("tokens"))
                .body("error.message", containsString("tokens[1] = 260"));
        post("/detokenize", "{\"model\":\"" + MODEL + "\",\"tokens\":[-1]}").statusCode(400)
                .body("error.param", equalTo("tokens"));
        post("/detokenize", "{\"model\":\"" + MODEL + "\",\"tokens\":\"1 2\"}").statusCode(400)
                .body("error.param", equalTo("tokens"));
    }
}
