package dev.tandem.prefill;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;

/** Dynamo's system-port probes and metrics, on the same port as gRPC. */
@QuarkusTest
class WorkerHealthEndpointsTest {

    /** Dynamo's exact body; probes and dashboards parse it. */
    static final String READY_BODY =
            "\\{\"status\":\"ready\",\"uptime\":\\{\"secs\":\\d+,\"nanos\":\\d+\\},\"endpoints\":\\{\"generate\":\"ready\"\\}\\}";

    @ParameterizedTest
    @ValueSource(strings = {"/health", "/live"})
    void readyOnceTheModelIsLoaded(String path) {
        given().when().get(path).then()
                .statusCode(200)
                .contentType(startsWith("text/plain"))
                .body(matchesPattern(READY_BODY));
    }

    @Test
    void metricsAreServed() {
        given().when().get("/metrics").then().statusCode(200);
    }
}
