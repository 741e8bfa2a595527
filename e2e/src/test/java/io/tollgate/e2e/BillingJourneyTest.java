package io.tollgate.e2e;

import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Money through the gateway: a checkout at the provider, its webhook, keys that read and cannot pay. */
@ExtendWith(FleetExtension.class)
class BillingJourneyTest {

    @Test
    void a_customer_tops_up_at_the_provider_and_reads_the_balance_with_a_key(Fleet fleet) throws Exception {
        var account = Journeys.newUser(fleet);
        String gateway = fleet.gatewayUrl();
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/balance").then()
                .statusCode(200).body("available_minor", equalTo(0));

        Response started = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"amount_minor\": 2000, \"currency\": \"USD\", \"provider\": \"stripe\"}").post("/v1/billing/top-ups");
        started.then().statusCode(201).body("status", equalTo("pending")).body("provider_payment_id", startsWith("pi_"))
                .body("redirect_url", startsWith(fleet.sandbox().baseUrl() + "/stripe/checkout/"));
        String paymentId = started.path("payment_id");

        // the customer pays on the provider's page; the provider's signed webhook comes in through the gateway
        assertEquals(200, fleet.sandbox().complete(started.path("provider_payment_id"), true));

        String key = io.restassured.path.json.JsonPath.from(Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken())
                .contentType("application/json").body("{\"name\": \"books\", \"scopes\": [\"billing:read\"]}")
                .post("/v1/api-keys").then().statusCode(201).extract().asString()).getString("secret_key");
        Journeys.at(gateway, account.ip()).header("X-API-Key", key).get("/v1/billing/balance").then().statusCode(200)
                .body("available_minor", equalTo(2000)).body("reserved_minor", equalTo(0));
        Journeys.at(gateway, account.ip()).header("X-API-Key", key).get("/v1/billing/payments/" + paymentId).then()
                .statusCode(200).body("status", equalTo("succeeded"));
        Journeys.at(gateway, account.ip()).header("X-API-Key", key).get("/v1/billing/transactions").then().statusCode(200)
                .body("data.type", contains("topup")).body("data.balance_after_minor", contains(2000));
        // a key reads money but never starts a payment
        Journeys.at(gateway, account.ip()).header("X-API-Key", key).contentType("application/json")
                .body("{\"amount_minor\": 2000, \"provider\": \"stripe\"}").post("/v1/billing/top-ups").then().statusCode(403)
                .body("code", equalTo("JWT_ONLY"));
        // a forged webhook through the gateway is refused and credits nothing
        Journeys.at(gateway, account.ip()).header("Stripe-Signature", "t=1,v1=00").contentType("application/json")
                .body("{\"id\":\"evt_forged\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"id\":\"pi_x\"}}}")
                .post("/v1/billing/webhooks/stripe").then().statusCode(400).body("code", equalTo("INVALID_SIGNATURE"));
        Journeys.at(gateway, account.ip()).header("X-API-Key", key).get("/v1/billing/balance").then().statusCode(200)
                .body("available_minor", equalTo(2000));

        // billing's events reach notification-svc: the top-up and its invoice are in the bell
        long waiting = System.nanoTime();
        while (Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/notifications")
                .jsonPath().getInt("meta.total") < 2) {
            assertTrue(System.nanoTime() - waiting < 30_000_000_000L, "notifications did not arrive in 30 s");
            Thread.sleep(200);
        }
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/notifications").then()
                .statusCode(200).body("data.title", org.hamcrest.Matchers.hasItems("Top-up received"))
                .body("data.body", org.hamcrest.Matchers.hasItem("20.00 USD was added to your balance."))
                .body("meta.unread_count", equalTo(2));
        Journeys.at(gateway, account.ip()).header("X-API-Key", key).post("/v1/notifications/read-all").then().statusCode(403)
                .body("code", equalTo("JWT_ONLY"));
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).post("/v1/notifications/read-all").then()
                .statusCode(200).body("modified_count", equalTo(2));
    }

    @Test
    void an_administrator_grants_and_claws_back_through_the_gateway(Fleet fleet) {
        var admin = Journeys.admin(fleet);
        var account = Journeys.newUser(fleet);
        String gateway = fleet.gatewayUrl();
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/balance").then().statusCode(200);
        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body("{\"amount_minor\": 500, \"reason\": \"welcome\"}")
                .post("/v1/admin/billing/users/" + account.userId() + "/credits/grant").then().statusCode(201)
                .body("transaction.type", equalTo("grant")).body("available_minor", equalTo(500));
        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body("{\"amount_minor\": 501, \"reason\": \"too much\"}")
                .post("/v1/admin/billing/users/" + account.userId() + "/credits/clawback").then().statusCode(402)
                .body("code", equalTo("INSUFFICIENT_BALANCE"));
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .body("{\"amount_minor\": 5, \"reason\": \"me\"}")
                .post("/v1/admin/billing/users/" + account.userId() + "/credits/grant").then().statusCode(403);
        int total = Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken())
                .get("/v1/admin/billing/transactions?user_id=" + account.userId()).then().statusCode(200)
                .extract().path("meta.total");
        assertTrue(total == 1, "one grant, the refused clawback left nothing: " + total);
    }
}
