package io.tollgate.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** The packaged fleet starts on free ports and every service answers through the gateway's port. */
@ExtendWith(FleetExtension.class)
class FleetSmokeJourneyTest {

    @Test
    void every_service_answers_through_the_gateway(Fleet fleet) {
        for (String service : Fleet.SERVICES) {
            given().baseUri(fleet.managementUrl(service)).get("/q/health/ready").then().statusCode(200)
                    .body("status", equalTo("UP"));
        }
        for (String service : List.of("identity", "billing", "proxy", "render", "notification")) {
            given().baseUri(fleet.gatewayUrl()).header("X-Request-Id", "smoke-" + service)
                    .get("/v1/openapi/" + service + "?format=json")
                    .then().statusCode(200)
                    .header("X-Request-Id", "smoke-" + service)
                    .body("info.title", containsString(service + "-svc"))
                    .body("paths.keySet().findAll { it.startsWith('/internal') }", org.hamcrest.Matchers.empty());
        }
    }

    @Test
    void a_path_nobody_owns_is_a_problem_from_the_gateway(Fleet fleet) {
        given().baseUri(fleet.gatewayUrl()).get("/v1/nobody-owns-this")
                .then().statusCode(404).contentType("application/problem+json")
                .body("code", equalTo("NOT_FOUND")).body("request_id", notNullValue());
    }
}
