package io.tollgate.e2e;

import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.function.LongSupplier;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** YooKassa- and CoinGate-style top-ups end to end: the providers notify through the gateway. */
@ExtendWith(FleetExtension.class)
class ProviderJourneyTest {

    @Test
    void top_ups_through_yookassa_and_coingate_are_credited_once(Fleet fleet) throws Exception {
        var account = Journeys.newUser(fleet);
        String gateway = fleet.gatewayUrl();
        Response rub = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .body(Map.of("amount_minor", 75_000, "provider", "yookassa")).post("/v1/billing/top-ups");
        rub.then().statusCode(201).body("currency", equalTo("RUB"));
        assertEquals(200, fleet.sandbox().yookassa().complete(rub.path("provider_payment_id"), true));
        LongSupplier rubles = () -> Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken())
                .get("/v1/billing/balance?currency=RUB").jsonPath().getLong("available_minor");
        assertEquals(75_000, rubles.getAsLong());
        // the notification again, through the gateway from the provider's address: acknowledged, nothing more
        assertEquals(200, fleet.sandbox().yookassa().notify(fleet.sandbox().yookassa().payment(rub.path("provider_payment_id"))));
        assertEquals(75_000, rubles.getAsLong());

        Response usd = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                .body(Map.of("amount_minor", 3_000, "currency", "USD", "provider", "coingate")).post("/v1/billing/top-ups");
        usd.then().statusCode(201);
        var order = fleet.sandbox().coingate().order(Long.parseLong(usd.path("provider_payment_id")));
        assertTrue(order.callbackUrl().endsWith("/v1/billing/webhooks/coingate"), order.callbackUrl());
        assertEquals(403, fleet.sandbox().coingate().callback(order, "not-the-token"));
        assertEquals(200, fleet.sandbox().coingate().complete(order.id(), true));
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/balance?currency=USD").then()
                .body("available_minor", equalTo(3_000));
        Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/billing/payments").then()
                .body("data.provider", org.hamcrest.Matchers.hasItems("yookassa", "coingate"))
                .body("data.status", org.hamcrest.Matchers.everyItem(equalTo("succeeded")));
    }
}
