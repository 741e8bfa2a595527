package io.tollgate.kit.problem;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.tollgate.kit.testing.RawHttp;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Input the probe found slipping through (truncated money, coerced strings, NUL, bad paging) is 400 and changes nothing. */
@QuarkusTest
class StrictInputTest {

    private static long count(String name) {
        return ((Number) given().queryParam("name", name).get("/probe/records/count").then().statusCode(200)
                .extract().path("count")).longValue();
    }

    @Test
    void money_is_an_integer_not_a_fraction_or_a_string() {
        String name = "strict-" + UUID.randomUUID();
        for (String amount : new String[]{"900.99", "\"900\"", "9.0e2", "true"}) {
            given().contentType("application/json").body("{\"name\": \"" + name + "\", \"amount_minor\": " + amount + "}")
                    .post("/probe/records").then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("VALIDATION_ERROR")).body("errors[0].field", equalTo("amount_minor"));
        }
        assertEquals(0, count(name));
        given().contentType("application/json").body("{\"name\": \"" + name + "\", \"amount_minor\": 900}")
                .post("/probe/records").then().statusCode(201).body("amount_minor", equalTo(900));
    }

    @Test
    void a_nul_in_a_string_is_400_not_a_database_error() {
        given().contentType("application/json").body("{\"name\": \"bad\\u0000name\", \"amount_minor\": 1}")
                .post("/probe/records").then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("VALIDATION_ERROR")).body("errors[0].field", equalTo("name"));
        RawHttp.Answer query = RawHttp.get("http://localhost:" + RestAssured.port, "/probe/records/count?name=a%00b");
        assertEquals(400, query.status(), query.body());
        assertTrue(query.body().contains("INVALID_PATH"), query.body());
    }

    @Test
    void paging_parameters_that_are_not_small_whole_numbers_are_400() {
        for (String query : new String[]{"page_size=abc", "page=abc", "page=0", "page_size=-1", "page=99999999999",
                "page=2147483647", "page=1.5"}) {
            given().get("/probe/numbers?" + query).then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("VALIDATION_ERROR"));
        }
        given().get("/probe/numbers?page=100000&page_size=100").then().statusCode(200);
    }
}
