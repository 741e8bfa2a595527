package io.tollgate.kit.testing;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every service promises the platform, run against the service itself with the real
 * servers: health (with every dependency it needs), metrics, problem+json, request ids and a
 * public contract that does not break. A service's test extends this and names itself.
 */
public abstract class ServiceContractTest {

    protected abstract String service();

    /** The readiness checks this service must have; a service without a database overrides it. */
    protected List<String> requiredReadinessChecks() {
        return List.of("PostgreSQL", "Redis", "Kafka");
    }

    @Test
    void is_live_and_ready_with_its_real_dependencies() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        List<String> checks = given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP")).extract().jsonPath().getList("checks.name");
        for (String required : requiredReadinessChecks()) {
            assertTrue(checks.stream().anyMatch(c -> c.contains(required)),
                    service() + " readiness lacks a " + required + " check: " + checks);
        }
    }

    @Test
    void exposes_prometheus_metrics() {
        given().get("/v1/no-such-thing-here").then().statusCode(404);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("http_server_requests"));
    }

    @Test
    void answers_unknown_paths_with_a_problem_and_a_request_id() {
        given().header("X-Request-Id", "contract-check-1").get("/v1/no-such-thing-here")
                .then().statusCode(404).contentType("application/problem+json")
                .header("X-Request-Id", "contract-check-1")
                .body("code", equalTo("NOT_FOUND"))
                .body("request_id", equalTo("contract-check-1"));
    }

    @Test
    void keeps_its_published_openapi_contract() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("info.title", containsString(service())).body("openapi", notNullValue());
        OpenApiContract.assertCompatible(service());
    }
}
