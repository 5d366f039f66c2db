package dev.tandem.frontend.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tandem.model.SyntheticModel;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** With API keys set (two in the list, one in a file), the API wants one of them; probes and metrics stay open. */
@QuarkusTest
@TestProfile(ApiKeyTest.WithKeys.class)
class ApiKeyTest {

    public static class WithKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path file = Files.createTempFile("tandem-api-keys", ".txt");
                file.toFile().deleteOnExit();
                Files.writeString(file, "\nfile-key-3\n\n");
                return Map.of("tandem.api-key", "list-key-1, list-key-2", "tandem.api-key-file", file.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final String CHAT = "{\"model\":\"" + SyntheticModel.NAME + "\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}";

    @Test
    void withoutAKeyEveryApiRouteIs401() {
        for (String path : new String[] { "/v1/chat/completions", "/v1/completions", "/tokenize", "/detokenize",
                "/apply-template" }) {
            given().contentType(ContentType.JSON).body(CHAT).when().post(path).then().statusCode(401)
                    .contentType(ContentType.JSON)
                    .header("WWW-Authenticate", "Bearer")
                    .body("error.type", equalTo("invalid_request_error"))
                    .body("error.code", equalTo("invalid_api_key"))
                    .body("error.param", nullValue())
                    .body("error.message", containsString("didn't provide an API key"));
        }
        given().when().get("/v1/models").then().statusCode(401);
        given().when().get("/v1/models/" + SyntheticModel.NAME).then().statusCode(401);
        given().header("Authorization", "Basic bGlzdC1rZXktMQ==").when().get("/v1/models").then().statusCode(401);
    }

    @Test
    void aWrongKeyIs401AndIsNotEchoed() {
        given().header("Authorization", "Bearer list-key-9").when().get("/v1/models").then().statusCode(401)
                .body("error.code", equalTo("invalid_api_key"))
                .body("error.message", equalTo("Incorrect API key provided."))
                .body(not(containsString("list-key")));
        given().header("Authorization", "Bearer list-key-1 ").contentType(ContentType.JSON).body("{\"prompt\":\"hi\"}")
                .when().post("/tokenize").then().statusCode(200); // surrounding spaces are not part of a key
        given().header("Authorization", "Bearer LIST-KEY-1").when().get("/v1/models").then().statusCode(401);
    }

    @Test
    void everyKeyFromTheListAndTheFileIsAccepted() {
        for (String key : new String[] { "list-key-1", "list-key-2", "file-key-3" }) {
            given().header("Authorization", "Bearer " + key).when().get("/v1/models").then().statusCode(200)
                    .body("data[0].id", equalTo(SyntheticModel.NAME));
        }
        given().header("Authorization", "bearer file-key-3").contentType(ContentType.JSON).body(CHAT).when()
                .post("/v1/chat/completions").then().statusCode(503); // past the key; no worker listens here
        given().header("Authorization", "Bearer list-key-2").contentType(ContentType.JSON).body(CHAT).when()
                .post("/apply-template").then().statusCode(200).body("prompt", equalTo("hi"));
    }

    @Test
    void probesAndMetricsStayOpen() {
        given().when().get("/live").then().statusCode(200);
        given().when().get("/health").then().statusCode(not(equalTo(401)));
        given().when().get("/metrics").then().statusCode(200);
    }
}
