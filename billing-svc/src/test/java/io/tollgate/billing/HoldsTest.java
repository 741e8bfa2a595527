package io.tollgate.billing;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.billing.HoldCaptured;
import io.tollgate.contracts.billing.HoldVoided;
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
class HoldsTest {

    @Test
    void a_partial_capture_releases_the_rest_and_is_journalled() {
        Money.User user = Money.user(1_000);
        String hold = Money.hold(user, 300).then().statusCode(201).body("status", equalTo("pending"))
                .body("amount_minor", equalTo(300)).body("service", equalTo("render")).extract().path("id");
        assertEquals(700, Money.available(user));
        assertEquals(300, Money.reserved(user));
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            Money.capture(hold, 120L).then().statusCode(200).body("status", equalTo("partially_captured"))
                    .body("captured_minor", equalTo(120));
            var event = probe.first(r -> hold.equals(r.key()) && HoldCaptured.TYPE.equals(KafkaProbe.header(r, "ce_type")),
                    Duration.ofSeconds(20));
            EventSchemas.assertValid(HoldCaptured.TYPE, event.value());
            assertTrue(new String(event.value()).replace(" ", "").contains("\"released_minor\":180"), new String(event.value()));
        }
        assertEquals(880, Money.available(user));
        assertEquals(0, Money.reserved(user));
        given().auth().oauth2(user.token()).get("/v1/billing/transactions").then().statusCode(200)
                .body("data.type", contains("release", "capture", "hold", "grant"))
                .body("data.amount_minor", contains(180, 0, -300, 1000))
                .body("data.balance_after_minor", contains(880, 700, 700, 1000))
                .body("data.reserved_after_minor", contains(0, 180, 300, 0));
    }

    @Test
    void a_hold_resolves_once_and_each_second_resolution_has_its_own_code() {
        Money.User user = Money.user(1_000);
        String captured = Money.hold(user, 100).then().statusCode(201).extract().path("id");
        Money.capture(captured, null).then().statusCode(200).body("status", equalTo("captured"));
        Money.capture(captured, null).then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("HOLD_ALREADY_CAPTURED"));
        Money.voidHold(captured).then().statusCode(409).body("code", equalTo("HOLD_ALREADY_CAPTURED"));

        String voided = Money.hold(user, 100).then().statusCode(201).extract().path("id");
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            Money.voidHold(voided).then().statusCode(200).body("status", equalTo("voided"));
            var event = probe.first(r -> voided.equals(r.key()) && HoldVoided.TYPE.equals(KafkaProbe.header(r, "ce_type")),
                    Duration.ofSeconds(20));
            EventSchemas.assertValid(HoldVoided.TYPE, event.value());
        }
        Money.voidHold(voided).then().statusCode(409).body("code", equalTo("HOLD_ALREADY_VOIDED"));
        Money.capture(voided, 50L).then().statusCode(409).body("code", equalTo("HOLD_ALREADY_VOIDED"));
        assertEquals(900, Money.available(user));
        assertEquals(0, Money.reserved(user));
    }

    @Test
    void a_hold_beyond_the_balance_is_402_with_required_and_available() {
        Money.User user = Money.user(250);
        Money.hold(user, 251).then().statusCode(402).contentType("application/problem+json")
                .body("code", equalTo("INSUFFICIENT_BALANCE")).body("required", equalTo(251)).body("available", equalTo(250));
        assertEquals(250, Money.available(user));
        assertEquals(0, Money.reserved(user));
        String hold = Money.hold(user, 250).then().statusCode(201).extract().path("id");
        Money.capture(hold, 251L).then().statusCode(422).body("code", equalTo("CAPTURE_EXCEEDS_HOLD"));
        Money.capture(hold, 0L).then().statusCode(400);
        assertEquals(250, Money.reserved(user));
    }

    @Test
    void a_stale_hold_expires_and_cannot_be_captured_after() {
        Money.User user = Money.user(500);
        String hold = Money.hold(user, 200, 1).then().statusCode(201).extract().path("id");
        long started = System.nanoTime();
        while (!"expired".equals(given().auth().oauth2(Money.RENDER).get("/internal/holds/" + hold).path("status"))) {
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(20).toNanos(), "hold not expired in 20 s");
            sleep(200);
        }
        Money.capture(hold, null).then().statusCode(409).body("code", equalTo("HOLD_EXPIRED"));
        assertEquals(500, Money.available(user));
        assertEquals(0, Money.reserved(user));
    }

    @Test
    void the_same_idempotency_key_places_one_hold() {
        Money.User user = Money.user(1_000);
        String body = "{\"user_id\": \"" + user.id() + "\", \"tenant_id\": \"" + Money.TENANT + "\", \"amount_minor\": 100}";
        String key = UUID.randomUUID().toString();
        Response first = given().auth().oauth2(Money.RENDER).header("Idempotency-Key", key).contentType("application/json")
                .body(body).post("/internal/holds");
        first.then().statusCode(201);
        given().auth().oauth2(Money.RENDER).header("Idempotency-Key", key).contentType("application/json").body(body)
                .post("/internal/holds").then().statusCode(201).header("Idempotent-Replayed", "true")
                .body("id", equalTo(first.path("id"))).body("status", equalTo("pending"));
        String other = body.replace("\"amount_minor\": 100", "\"amount_minor\": 200");
        given().auth().oauth2(Money.RENDER).header("Idempotency-Key", key).contentType("application/json").body(other)
                .post("/internal/holds").then().statusCode(422).contentType("application/problem+json")
                .body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));
        given().auth().oauth2(Money.RENDER).header("Idempotency-Key", "k".repeat(256)).contentType("application/json")
                .body(other).post("/internal/holds").then().statusCode(400).contentType("application/problem+json");
        assertEquals(900, Money.available(user));
        assertEquals(100, Money.reserved(user));
    }

    @Test
    void only_our_services_hold_money() {
        Money.User user = Money.user(1_000);
        given().auth().oauth2(user.token()).contentType("application/json")
                .body("{\"user_id\": \"" + user.id() + "\", \"tenant_id\": \"" + Money.TENANT + "\", \"amount_minor\": 100}")
                .post("/internal/holds").then().statusCode(403).body("code", equalTo("SERVICE_ONLY"));
        given().auth().oauth2(Money.RENDER).get("/internal/holds/" + UUID.randomUUID()).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(Money.RENDER).contentType("application/json")
                .body("{\"user_id\": \"" + user.id() + "\", \"tenant_id\": \"" + Money.TENANT + "\", \"amount_minor\": -1}")
                .post("/internal/holds").then().statusCode(400).body("errors[0].field", equalTo("amount_minor"));
        assertEquals(1_000, Money.available(user));
    }

    @Test
    void only_render_and_proxy_hold_money_and_each_resolves_only_its_own_holds() {
        Money.User user = Money.user(1_000);
        String notification = TestTokens.service("notification").sign();
        given().auth().oauth2(notification).contentType("application/json")
                .body("{\"user_id\": \"" + user.id() + "\", \"tenant_id\": \"" + Money.TENANT + "\", \"amount_minor\": 100}")
                .post("/internal/holds").then().statusCode(403).body("code", equalTo("SERVICE_ONLY"));
        String hold = Money.hold(user, 300).then().statusCode(201).extract().path("id");
        given().auth().oauth2(notification).contentType("application/json").body("{}")
                .post("/internal/holds/" + hold + "/capture").then().statusCode(403)
                .body("code", equalTo("SERVICE_ONLY"));
        // proxy is a holder too, but render's hold is not proxy's to capture, void or read
        String proxy = TestTokens.service("proxy").sign();
        given().auth().oauth2(proxy).contentType("application/json").body("{}").post("/internal/holds/" + hold + "/capture")
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(proxy).post("/internal/holds/" + hold + "/void").then().statusCode(404);
        given().auth().oauth2(proxy).get("/internal/holds/" + hold).then().statusCode(404);
        assertEquals(300, Money.reserved(user));
        Money.capture(hold, 100L).then().statusCode(200).body("status", equalTo("partially_captured"));
        assertEquals(900, Money.available(user));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
