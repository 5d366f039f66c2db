package dev.tandem.frontend.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import dev.tandem.model.SyntheticModel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/**
 * A field Tandem does not serve is refused by name, never silently dropped. No worker listens in these tests, so
 * a request that gets past validation is a 503: that is how "accepted" shows here.
 */
@QuarkusTest
class UnsupportedParamsTest {

    static final String MODEL = SyntheticModel.NAME;
    static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path).then().contentType(ContentType.JSON);
    }

    static String chat(String extra) {
        return "{\"model\":\"" + MODEL + "\"," + MESSAGES + "," + extra + "}";
    }

    static String completion(String extra) {
        return "{\"model\":\"" + MODEL + "\",\"prompt\":\"hi\"," + extra + "}";
    }

    private static void refused(String path, String body, String param) {
        post(path, body).statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param))
                .body("error.message", containsString("Unsupported parameter(s): `" + param + "`"));
    }

    @Test
    void unknownFieldsAreRefusedByName() {
        refused("/v1/chat/completions", chat("\"foo\":1"), "foo");
        refused("/v1/completions", completion("\"foo\":1"), "foo");
        refused("/apply-template", chat("\"foo\":1"), "foo");
        refused("/tokenize", completion("\"foo\":1"), "foo");
        refused("/detokenize", "{\"model\":\"" + MODEL + "\",\"tokens\":[1],\"foo\":1}", "foo");
    }

    @Test
    void everyUnsupportedFieldIsNamedInAlphabeticalOrder() {
        post("/v1/chat/completions", chat("\"foo\":1,\"bar\":[]")).statusCode(400)
                .body("error.message", containsString("`bar`, `foo`"));
    }

    @Test
    void openAiFieldsNotServedYetAreRefusedByName() {
        // a schema the constraint does not enforce is refused by name, not half-applied
        post("/v1/chat/completions", chat("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\","
                + "\"schema\":{\"type\":\"string\",\"pattern\":\"a+\"}}}")).statusCode(400)
                .body("error.param", equalTo("response_format.json_schema.schema"))
                .body("error.message", containsString("pattern"));
        // tools are served on chat completions only
        refused("/v1/completions", completion("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]"),
                "tools");
        refused("/v1/completions", completion("\"tool_choice\":\"required\""), "tool_choice");
        refused("/v1/completions", completion("\"top_logprobs\":2"), "top_logprobs"); // a chat field only
        refused("/v1/completions", completion("\"echo\":true"), "echo");
        refused("/v1/completions", completion("\"suffix\":\"end\""), "suffix");
        refused("/v1/completions", completion("\"best_of\":3"), "best_of");
    }

    @Test
    void servedLogprobsAndNAreCheckedNotRefused() {
        // past validation: a 503, as no worker listens in these tests
        post("/v1/chat/completions", chat("\"logprobs\":true,\"top_logprobs\":20,\"n\":128")).statusCode(503);
        post("/v1/completions", completion("\"logprobs\":5,\"n\":2")).statusCode(503);
        post("/v1/chat/completions", chat("\"logprobs\":true,\"top_logprobs\":21")).statusCode(400)
                .body("error.param", equalTo("top_logprobs"));
        post("/v1/chat/completions", chat("\"top_logprobs\":2")).statusCode(400).body("error.param", equalTo("top_logprobs"));
        post("/v1/completions", completion("\"logprobs\":6")).statusCode(400).body("error.param", equalTo("logprobs"));
        post("/v1/chat/completions", chat("\"n\":129")).statusCode(400).body("error.param", equalTo("n"));
    }

    @Test
    void unsupportedFieldsInsideMessagesAndStreamOptionsAreNamedByPath() {
        refused("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"hi\"},{\"role\":\"assistant\",\"content\":null,\"audio\":{\"id\":\"c\"}}]}",
                "messages[1].audio");
        refused("/v1/completions", completion("\"stream\":true,\"stream_options\":{\"continuous_usage_stats\":true}"),
                "stream_options.continuous_usage_stats");
    }

    @Test
    void valuesThatAskForNothingUnservedAreAccepted() {
        // the defaults of fields Tandem does not serve otherwise, and the end user's id: nothing to apply
        post("/v1/chat/completions", chat("\"logprobs\":false,\"top_logprobs\":null,\"response_format\":"
                + "{\"type\":\"text\"},\"tools\":[],\"tool_choice\":\"none\",\"parallel_tool_calls\":true,"
                + "\"user\":\"u-1\"")).statusCode(503);
        post("/v1/completions", completion("\"echo\":false,\"best_of\":1,\"logprobs\":null,\"suffix\":null,"
                + "\"user\":\"u-1\"")).statusCode(503);
        // a message's name is passed to the chat template
        post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"hi\",\"name\":\"bob\"}]}").statusCode(503);
    }
}
