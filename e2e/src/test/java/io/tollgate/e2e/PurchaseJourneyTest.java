package io.tollgate.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Spending the balance through the gateway: a quote, a traffic purchase, a plan; usage and the refusals. */
@ExtendWith(FleetExtension.class)
class PurchaseJourneyTest {

    @Test
    void a_customer_buys_traffic_and_a_plan_from_the_balance(Fleet fleet) {
        var admin = Journeys.admin(fleet);
        var account = Journeys.newUser(fleet);
        String gateway = fleet.gatewayUrl();
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/balance").then().statusCode(200);
        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body(Map.of("amount_minor", 20_000, "reason", "journey credit"))
                .post("/v1/admin/billing/users/" + account.userId() + "/credits/grant").then().statusCode(201);

        long quoted = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken())
                .get("/v1/billing/calculate-price?resource=traffic&amount=30").then().statusCode(200)
                .body("discount_percent", equalTo(10)).extract().jsonPath().getLong("total_minor");
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .header("Idempotency-Key", "journey-" + account.userId())
                .body(Map.of("resource", "traffic", "amount", 30)).post("/v1/billing/purchases").then().statusCode(201)
                .body("purchase.total_minor", equalTo((int) quoted)).body("entitlements.tier.current_tier", equalTo("Bronze"));
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .body(Map.of("plan_code", "pro")).post("/v1/billing/subscription").then().statusCode(201)
                .body("status", equalTo("active"));
        long available = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/balance")
                .jsonPath().getLong("available_minor");
        assertEquals(20_000 - quoted - 2_990, available);
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/usage").then().statusCode(200)
                .body("spend.product", hasItem("proxy"));
        // a purchase the balance cannot pay is refused through the gateway and changes nothing
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .body(Map.of("resource", "traffic", "amount", 10_000, "is_private", true)).post("/v1/billing/purchases").then()
                .statusCode(402).contentType("application/problem+json").body("code", equalTo("INSUFFICIENT_BALANCE"));
        assertEquals(available, Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/balance")
                .jsonPath().getLong("available_minor"));
        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).get("/v1/admin/billing/usage/top-users?window=24h")
                .then().statusCode(200);
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/admin/billing/usage/top-users").then()
                .statusCode(403);
    }
}
