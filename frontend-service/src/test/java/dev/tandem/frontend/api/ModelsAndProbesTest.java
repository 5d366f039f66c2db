package dev.tandem.frontend.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.tandem.model.engine.SyntheticModel;
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
    void healthIsUnhealthyWithoutAReachableDecodeWorker() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (given().when().get("/health").statusCode() != 503 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        given().when().get("/health").then().statusCode(503)
                .body("status", equalTo("unhealthy"))
                .body("message", equalTo("No endpoints available"));
    }

    @Test
    void metricsAreScrapable() {
        given().when().get("/metrics").then().statusCode(200);
    }
}
