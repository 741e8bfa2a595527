package io.tollgate.billing;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.tollgate.contracts.billing.PaymentFailed;
import io.tollgate.kit.testing.Events;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cards saved at checkout and auto top-up from the default card, through the provider sandbox. */
@QuarkusTest
@QuarkusTestResource(Sandbox.class)
class AutoTopUpTest {

    @BeforeEach
    void pointTheProviderAtUs() {
        Sandbox.running.webhookUrl("http://127.0.0.1:" + RestAssured.port + "/v1/billing/webhooks/stripe");
    }

    /** A paid checkout that keeps its card; returns the card's id in our API. */
    static String saveCard(Money.User user, long amount) throws Exception {
        java.util.List<String> before = given().auth().oauth2(user.token()).get("/v1/billing/payment-methods").jsonPath().getList("data.id");
        String intent = given().auth().oauth2(user.token()).contentType("application/json")
                .body("{\"amount_minor\": " + amount + ", \"provider\": \"stripe\", \"save_payment_method\": true}")
                .post("/v1/billing/top-ups").then().statusCode(201).extract().path("provider_payment_id");
        assertEquals(200, Sandbox.running.complete(intent, true));
        await(() -> given().auth().oauth2(user.token()).get("/v1/billing/payment-methods").jsonPath().getList("data").size() > before.size());
        java.util.List<String> after = given().auth().oauth2(user.token()).get("/v1/billing/payment-methods").jsonPath().getList("data.id");
        return after.stream().filter(id -> !before.contains(id)).findFirst().orElseThrow();
    }

    @Test
    void a_card_saved_at_checkout_tops_the_balance_up_when_it_falls_below_the_threshold() throws Exception {
        Money.User user = Money.user(0);
        String card = saveCard(user, 1_000);
        given().auth().oauth2(user.token()).get("/v1/billing/payment-methods").then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].last4", equalTo("4242")).body("data[0].brand", equalTo("visa"))
                .body("data[0].is_default", equalTo(true));
        assertEquals(1_000, Money.available(user));
        given().auth().oauth2(user.token()).contentType("application/json")
                .body("{\"enabled\": true, \"threshold_minor\": 500, \"amount_minor\": 2000}").put("/v1/billing/auto-topup").then()
                .statusCode(200).body("enabled", equalTo(true)).body("payment_method.id", equalTo(card));

        // spending takes it under the threshold: the card is charged off-session and the webhook credits it
        String hold = Money.hold(user, 700).then().statusCode(201).extract().path("id");
        Money.capture(hold, 700L).then().statusCode(200);
        await(() -> Money.available(user) == 2_300);
        given().auth().oauth2(user.token()).get("/v1/billing/payments").then()
                .body("data[0].trigger", equalTo("auto_topup")).body("data[0].status", equalTo("succeeded"))
                .body("data[0].amount_minor", equalTo(2000));
        given().auth().oauth2(user.token()).get("/v1/billing/auto-topup").then().body("last_result", equalTo("succeeded"));
        Thread.sleep(2_500); // one charge for one crossing
        assertEquals(2_300, Money.available(user));
        given().auth().oauth2(user.token()).get("/v1/billing/payments?status=succeeded").then().body("meta.total", equalTo(2));
    }

    @Test
    void a_declined_auto_top_up_changes_nothing_and_tells_the_owner() throws Exception {
        Money.User user = Money.user(0);
        saveCard(user, 600);
        String providerCard = given().auth().oauth2(user.token()).get("/v1/billing/payments").path("data[0].provider_payment_id");
        Sandbox.running.declineOffSession(Sandbox.running.intent(providerCard).paymentMethod());
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            given().auth().oauth2(user.token()).contentType("application/json")
                    .body("{\"enabled\": true, \"threshold_minor\": 1000, \"amount_minor\": 2000}").put("/v1/billing/auto-topup").then()
                    .statusCode(200);
            var failed = probe.first(r -> PaymentFailed.TYPE.equals(KafkaProbe.header(r, "ce_type"))
                    && new String(r.value()).contains(user.id().toString()), Duration.ofSeconds(20));
            assertEquals("auto_topup", Events.JSON.readTree(failed.value()).path("trigger").asText());
        }
        await(() -> given().auth().oauth2(user.token()).get("/v1/billing/auto-topup").<String>path("last_result").startsWith("declined"));
        assertEquals(600, Money.available(user));
        given().auth().oauth2(user.token()).get("/v1/billing/payments?status=failed").then().body("meta.total", equalTo(1));
        Thread.sleep(2_500); // no retry loop after a decline
        given().auth().oauth2(user.token()).get("/v1/billing/payments").then().body("meta.total", equalTo(2));
    }

    @Test
    void an_auto_top_up_whose_webhook_is_lost_is_settled_from_the_intent_read_back() throws Exception {
        Money.User user = Money.user(0);
        saveCard(user, 600);
        Sandbox.running.webhookUrl("http://127.0.0.1:1/lost"); // the provider's webhooks go nowhere now
        try {
            given().auth().oauth2(user.token()).contentType("application/json")
                    .body("{\"enabled\": true, \"threshold_minor\": 1000, \"amount_minor\": 2000}").put("/v1/billing/auto-topup").then()
                    .statusCode(200);
            // charged at the provider, never announced: after the stale time the intent is read back and credited
            await(() -> Money.available(user) == 2_600);
        } finally {
            pointTheProviderAtUs();
        }
        given().auth().oauth2(user.token()).get("/v1/billing/payments").then()
                .body("data[0].trigger", equalTo("auto_topup")).body("data[0].status", equalTo("succeeded"));
        given().auth().oauth2(user.token()).get("/v1/billing/auto-topup").then().body("last_result", equalTo("succeeded"));
    }

    @Test
    void cards_are_the_owners_and_auto_top_up_needs_one() throws Exception {
        Money.User user = Money.user(0);
        given().auth().oauth2(user.token()).contentType("application/json")
                .body("{\"enabled\": true, \"threshold_minor\": 500, \"amount_minor\": 2000}").put("/v1/billing/auto-topup").then()
                .statusCode(409).body("code", equalTo("NO_PAYMENT_METHOD"));
        String first = saveCard(user, 500);
        String second = saveCard(user, 500);
        given().auth().oauth2(user.token()).get("/v1/billing/payment-methods").then().body("data", hasSize(2))
                .body("data[0].id", equalTo(first)).body("data[0].is_default", equalTo(true));
        given().auth().oauth2(user.token()).post("/v1/billing/payment-methods/" + second + "/default").then().statusCode(200)
                .body("is_default", equalTo(true));
        Money.User stranger = Money.user(0);
        given().auth().oauth2(stranger.token()).post("/v1/billing/payment-methods/" + first + "/default").then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(stranger.token()).delete("/v1/billing/payment-methods/" + first).then().statusCode(404);
        for (String bad : new String[] {"{\"enabled\": true, \"threshold_minor\": -1, \"amount_minor\": 2000}",
                "{\"enabled\": true, \"threshold_minor\": 100, \"amount_minor\": 10}", "{\"threshold_minor\": 100}"}) {
            given().auth().oauth2(user.token()).contentType("application/json").body(bad).put("/v1/billing/auto-topup").then()
                    .statusCode(400).contentType("application/problem+json");
        }
        given().auth().oauth2(user.token()).contentType("application/json")
                .body("{\"enabled\": true, \"threshold_minor\": 100, \"amount_minor\": 2000}").put("/v1/billing/auto-topup").then()
                .statusCode(200);
        // the last card gone, auto top-up stops
        given().auth().oauth2(user.token()).delete("/v1/billing/payment-methods/" + second).then().statusCode(204);
        given().auth().oauth2(user.token()).get("/v1/billing/payment-methods").then().body("data[0].id", equalTo(first))
                .body("data[0].is_default", equalTo(true));
        given().auth().oauth2(user.token()).delete("/v1/billing/payment-methods/" + first).then().statusCode(204);
        given().auth().oauth2(user.token()).get("/v1/billing/auto-topup").then().body("enabled", equalTo(false))
                .body("payment_method", nullValue());
        String key = TestTokens.user(user.id(), Money.TENANT).apiKey(UUID.randomUUID(), "billing:read", "billing:write").sign();
        given().auth().oauth2(key).get("/v1/billing/payment-methods").then().statusCode(403).body("code", equalTo("JWT_ONLY"));
    }

    static void await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "did not happen in 30 s");
            Thread.sleep(100);
        }
    }
}
