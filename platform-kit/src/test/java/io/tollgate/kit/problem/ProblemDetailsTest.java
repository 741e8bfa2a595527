package io.tollgate.kit.problem;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
class ProblemDetailsTest {

    @Test
    void validation_failures_name_every_field_by_its_json_path() {
        given().contentType("application/json")
                .body("{\"name\": \"\", \"amount_minor\": -5, \"lines\": [{\"sku\": \"a\", \"quantity\": 1}, {\"sku\": \"\", \"quantity\": 0}]}")
                .post("/probe/records")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("VALIDATION_ERROR"))
                .body("status", equalTo(400))
                .body("type", startsWith("https://tollgate.io/problems/"))
                .body("errors", hasSize(4))
                .body("errors.field", allOf(hasItem("name"), hasItem("amount_minor"), hasItem("lines[1].sku"),
                        hasItem("lines[1].quantity")))
                .body("request_id", notNullValue());
    }

    @Test
    void a_field_of_the_wrong_type_is_named() {
        given().contentType("application/json").body("{\"name\": \"x\", \"amount_minor\": \"lots\"}")
                .post("/probe/records")
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("VALIDATION_ERROR"))
                .body("errors[0].field", equalTo("amount_minor"));
    }

    @Test
    void malformed_json_is_a_400_problem() {
        given().contentType("application/json").body("{\"name\": ")
                .post("/probe/records")
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("VALIDATION_ERROR"));
    }

    @Test
    void a_query_parameter_out_of_range_is_named() {
        given().get("/probe/numbers?page=0")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("page"));
    }

    @Test
    void business_problems_keep_their_code_and_extension_members() {
        given().get("/probe/fail/insufficient")
                .then().statusCode(402).contentType("application/problem+json")
                .body("code", equalTo("INSUFFICIENT_BALANCE"))
                .body("required", equalTo(500))
                .body("available", equalTo(120))
                .body("instance", equalTo("/probe/fail/insufficient"));
        given().get("/probe/fail/not-found")
                .then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        given().get("/probe/fail/rate")
                .then().statusCode(429).header("Retry-After", "17").body("code", equalTo("RATE_LIMITED"));
    }

    @Test
    void an_unexpected_error_reveals_nothing_but_the_request_id() {
        given().header("X-Request-Id", "req-abc-123").get("/probe/fail/sql")
                .then().statusCode(500).contentType("application/problem+json")
                .header("X-Request-Id", "req-abc-123")
                .body("code", equalTo("INTERNAL_ERROR"))
                .body("request_id", equalTo("req-abc-123"))
                .body(not(containsString("secret_table")))
                .body(not(containsString("org.postgresql")))
                .body(not(containsString("Exception")));
    }

    @Test
    void unknown_paths_methods_and_media_types_are_problems_too() {
        given().get("/probe/nothing/here").then().statusCode(404).contentType("application/problem+json")
                .body("code", equalTo("NOT_FOUND"));
        given().delete("/probe/records").then().statusCode(405).contentType("application/problem+json")
                .body("code", equalTo("METHOD_NOT_ALLOWED"));
        given().contentType("text/plain").body("hello").post("/probe/records")
                .then().statusCode(415).contentType("application/problem+json")
                .body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"));
    }

    @Test
    void a_request_id_is_generated_when_absent_and_a_forged_one_is_replaced() {
        given().get("/probe/fail/ok").then().statusCode(200).header("X-Request-Id", notNullValue());
        given().header("X-Request-Id", "bad id with spaces\nand newline").get("/probe/fail/ok")
                .then().statusCode(200).header("X-Request-Id", not(containsString(" ")));
    }
}
