package io.tollgate.proxy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bulk creation: 1 to 50 items, each placed on its own, partial success, replayed by its Idempotency-Key. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class BulkTest {

    static String items(int n) {
        return "{\"ports\": [" + String.join(", ", Collections.nCopies(n, "{\"country_id\": \"FR\", \"expires_in\": 120}")) + "]}";
    }

    @Test
    void fifty_one_items_or_a_bad_one_are_refused_whole_and_create_nothing() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 5, 0);
        given().auth().oauth2(caller.token()).contentType("application/json").body(items(51)).post("/v1/ports/bulk").then()
                .statusCode(400).body("code", equalTo("VALIDATION_ERROR")).body("errors[0].field", equalTo("ports"));
        given().auth().oauth2(caller.token()).contentType("application/json").body("{\"ports\": []}").post("/v1/ports/bulk").then()
                .statusCode(400);
        given().auth().oauth2(caller.token()).contentType("application/json")
                .body(items(3).replaceFirst("\\]\\}$", ", {\"country_id\": \"FR\", \"expires_in\": 5}]}")).post("/v1/ports/bulk").then()
                .statusCode(400).body("errors.field", hasItem("ports[3].expires_in"));
        assertEquals(0, PortTest.ports(caller));
        // none of these took the creation turn
        given().auth().oauth2(caller.token()).contentType("application/json").body(items(1)).post("/v1/ports/bulk").then()
                .statusCode(201).body("success", equalTo(1));
    }

    @Test
    void five_items_with_three_slots_make_three_and_say_why_not_the_others() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 3, 0);
        String key = UUID.randomUUID().toString();
        String body = given().auth().oauth2(caller.token()).contentType("application/json").header("Idempotency-Key", key)
                .body(items(5)).post("/v1/ports/bulk").then().statusCode(201).body("total", equalTo(5)).body("success", equalTo(3))
                .body("failed", equalTo(2)).body("created.size()", equalTo(3)).body("errors[0].index", equalTo(3))
                .body("errors[1].index", equalTo(4)).body("errors[0].code", equalTo("SLOT_LIMIT_EXCEEDED"))
                .extract().asString();
        assertEquals(3, PortTest.ports(caller));
        String replayed = given().auth().oauth2(caller.token()).contentType("application/json").header("Idempotency-Key", key)
                .body(items(5)).post("/v1/ports/bulk").then().statusCode(201).header("Idempotent-Replayed", "true").extract().asString();
        assertEquals(body, replayed);
        assertEquals(3, PortTest.ports(caller));
    }
}
