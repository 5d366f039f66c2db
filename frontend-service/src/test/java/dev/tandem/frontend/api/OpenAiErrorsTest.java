package dev.tandem.frontend.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;

import dev.tandem.model.SyntheticModel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Everything a client can get wrong, through real HTTP: OpenAI error bodies, the right status, no stack traces. */
@QuarkusTest
class OpenAiErrorsTest {

    private static final String MODEL = SyntheticModel.NAME;

    private static io.restassured.response.ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path).then()
                .contentType(ContentType.JSON)
                .body(not(containsString("Exception")))
                .body(not(containsString("at dev.tandem")));
    }

    @Test
    void malformedJsonIs400() {
        post("/v1/chat/completions", "{\"model\":").statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", not(nullValue()));
    }

    @Test
    void wrongJsonTypeIs400() {
        post("/v1/completions", "{\"model\":\"" + MODEL + "\",\"prompt\":\"hi\",\"max_tokens\":\"many\"}").statusCode(400)
                .body("error.param", equalTo("max_tokens"));
    }

    @Test
    void emptyBodyIs400() {
        post("/v1/chat/completions", "").statusCode(400);
    }

    @Test
    void unknownModelIs400() {
        post("/v1/completions", "{\"model\":\"gpt-5\",\"prompt\":\"hi\"}").statusCode(400)
                .body("error.param", equalTo("model"))
                .body("error.message", containsString("gpt-5"));
    }

    @Test
    void nOutsideOneTo128Is400() {
        post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"n\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode(400).body("error.param", equalTo("n"));
    }

    @Test
    void promptLongerThanTheContextIs400() {
        String prompt = "x".repeat(3000); // byte-level vocabulary: more tokens than the synthetic model's 2048
        post("/v1/completions", "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + prompt + "\"}").statusCode(400)
                .body("error.message", containsString("context length"));
    }

    @Test
    void promptPlusMaxTokensLongerThanTheContextIs400() {
        post("/v1/completions", "{\"model\":\"" + MODEL + "\",\"prompt\":\"hello\",\"max_tokens\":2047}").statusCode(400)
                .body("error.param", equalTo("max_tokens"))
                .body("error.message", containsString("context length"));
    }

    @Test
    void noReachableWorkerIs503ForBothStreamingAndNot() {
        for (boolean stream : new boolean[] { false, true }) {
            post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"stream\":" + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                    .statusCode(503)
                    .body("error.code", equalTo("service_unavailable"))
                    .body("error.message", containsString("worker"));
        }
    }

    @Test
    void unknownRouteIs404() {
        given().when().get("/v1/nothing").then().statusCode(404).contentType(ContentType.JSON)
                .body("error.type", equalTo("invalid_request_error"));
    }

    @Test
    void wrongMethodIs405() {
        given().when().get("/v1/chat/completions").then().statusCode(405).contentType(ContentType.JSON);
    }

    @Test
    void wrongContentTypeIs415() {
        given().contentType(ContentType.TEXT).body("hi").when().post("/v1/completions").then().statusCode(415)
                .contentType(ContentType.JSON);
    }

    @Test
    void requestIdIsEchoed() {
        given().header("x-request-id", "req-42").contentType(ContentType.JSON).body("{}").when()
                .post("/v1/completions").then().statusCode(400).header("x-request-id", "req-42");
        given().when().get("/v1/models").then().statusCode(200).header("x-request-id", not(nullValue()));
    }
}
