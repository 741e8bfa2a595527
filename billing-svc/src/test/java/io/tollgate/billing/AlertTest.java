package io.tollgate.billing;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.billing.BalanceLow;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class AlertTest {

    @Test
    void a_threshold_fires_once_when_crossed_and_rearms_when_the_balance_recovers() {
        Money.User user = Money.user(1_000);
        alert(user, 500).then().statusCode(200).body("armed", equalTo(true));
        alert(user, 2_000).then().statusCode(200).body("armed", equalTo(false));
        given().auth().oauth2(user.token()).get("/v1/billing/alerts").then().statusCode(200)
                .body("data.threshold_minor", contains(2000, 500)).body("data.armed", contains(false, true));

        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            Money.hold(user, 300).then().statusCode(201);      // 700: above 500, nothing fires
            Money.hold(user, 300).then().statusCode(201);      // 400: crosses 500
            Money.hold(user, 100).then().statusCode(201);      // 300: already fired, stays quiet
            var fired = probe.collect(r -> BalanceLow.TYPE.equals(KafkaProbe.header(r, "ce_type"))
                    && user.id().toString().equals(r.key()), Duration.ofSeconds(20), Duration.ofSeconds(3));
            assertEquals(1, fired.size(), "one event for one crossing");
            EventSchemas.assertValid(BalanceLow.TYPE, fired.get(0).value());
            String body = new String(fired.get(0).value()).replace(" ", "");
            assertTrue(body.contains("\"threshold_minor\":500") && body.contains("\"available_minor\":400"), body);
        }
        given().auth().oauth2(user.token()).get("/v1/billing/alerts").then().body("data.armed", contains(false, false));
        Money.grant(user.id(), 400).then().statusCode(201);    // 700: back above 500
        given().auth().oauth2(user.token()).get("/v1/billing/alerts").then().body("data.armed", contains(false, true));

        given().auth().oauth2(user.token()).delete("/v1/billing/alerts?threshold_minor=2000").then().statusCode(204);
        given().auth().oauth2(user.token()).delete("/v1/billing/alerts?threshold_minor=2000").then().statusCode(404);
        given().auth().oauth2(user.token()).get("/v1/billing/alerts").then().body("data.threshold_minor", contains(500));
    }

    @Test
    void bad_thresholds_are_problems_and_keys_need_billing_write() {
        Money.User user = Money.user(0);
        alert(user, -1).then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("threshold_minor"));
        alert(user, 100_000_001).then().statusCode(400);
        given().auth().oauth2(user.token()).delete("/v1/billing/alerts").then().statusCode(400);
        String reader = TestTokens.user(user.id(), Money.TENANT).apiKey(UUID.randomUUID(), "billing:read").sign();
        given().auth().oauth2(reader).contentType("application/json").body("{\"threshold_minor\": 5}")
                .post("/v1/billing/alerts").then().statusCode(403).body("code", equalTo("INSUFFICIENT_SCOPE"));
        given().auth().oauth2(reader).get("/v1/billing/alerts").then().statusCode(200).body("data", org.hamcrest.Matchers.empty());
    }

    private static io.restassured.response.Response alert(Money.User user, long threshold) {
        return given().auth().oauth2(user.token()).contentType("application/json")
                .body("{\"threshold_minor\": " + threshold + "}").post("/v1/billing/alerts");
    }
}
