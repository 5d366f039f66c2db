package dev.tandem.frontend.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import dev.tandem.model.SyntheticModel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * {@code POST /apply-template} through real HTTP. The synthetic model has no chat template, so its prompt is the
 * fallback (contents joined by newlines); the template path itself is covered by the chat package's tests.
 */
@QuarkusTest
class ApplyTemplateTest {

    private static final String MODEL = SyntheticModel.NAME;

    private static io.restassured.response.ValidatableResponse post(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/apply-template").then()
                .contentType(ContentType.JSON);
    }

    @Test
    void rendersThePromptWithoutInference() {
        post("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"}],\"tools\":[],\"add_generation_prompt\":false}")
                .statusCode(200)
                .body("prompt", equalTo("Be brief.\nHi"));
    }

    @Test
    void unknownModelIs400OnModel() {
        post("{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("model"))
                .body("error.message", containsString("gpt-5"));
    }

    @Test
    void missingOrMalformedMessagesAre400() {
        post("{\"model\":\"" + MODEL + "\"}").statusCode(400).body("error.param", equalTo("messages"));
        post("{\"model\":\"" + MODEL + "\",\"messages\":[\"hi\"]}").statusCode(400)
                .body("error.param", equalTo("messages[0]"));
        post("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"tools\":{}}")
                .statusCode(400).body("error.param", equalTo("tools"));
    }
}
