package dev.tandem.frontend.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.tandem.model.SyntheticModel;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ModelsAndProbesTest {

    @Test
    void listsTheServedModel() {
        given().when().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data[0].id", equalTo(SyntheticModel.NAME))
                .body("data[0].object", equalTo("model"))
                .body("data[0].context_window", equalTo(2048));
        given().when().get("/v1/models/" + SyntheticModel.NAME).then().statusCode(200);
        given().when().get("/v1/models/nope").then().statusCode(404).body("error.code", equalTo("model_not_found"));
    }

    @Test
    void liveDoesNotDependOnWorkers() {
        given().when().get("/live").then().statusCode(200)
                .body("status", equalTo("live"))
                .body("message", equalTo("Service is live"));
    }

    @Test
    void healthIsUnhealthyWithoutAReachableDecodeWorker() {
        // until the frontend has found its one decode worker unreachable
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> given().when().get("/health").statusCode() == 503);
        given().when().get("/health").then().statusCode(503)
                .body("status", equalTo("unhealthy"))
                .body("message", equalTo("No endpoints available"));
    }

    @Test
    void requestHistogramsHaveTheSpecsBucketsFromZero() {
        String scrape = given().when().get("/metrics").then().statusCode(200).extract().asString();
        for (String histogram : List.of("request_duration_seconds", "time_to_first_token_seconds",
                "inter_token_latency_seconds", "input_sequence_tokens", "output_sequence_tokens", "cached_tokens")) {
            String series = "dynamo_frontend_" + histogram + "_bucket{model=\"" + SyntheticModel.NAME + "\",";
            assertTrue(scrape.contains(series + "le=\"0.0\""), histogram + " has no le=\"0\" bucket");
            assertTrue(scrape.contains(series + "le=\"+Inf\""), histogram);
        }
        assertTrue(scrape.contains("dynamo_frontend_time_to_first_token_seconds_bucket{model=\"" + SyntheticModel.NAME
                + "\",le=\"0.0022\""), "TTFT buckets are log(0.001, 480, 18)");
    }
}
