package io.tollgate.e2e;

import io.restassured.response.Response;
import io.tollgate.sandbox.MailSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Port auto-renewal through the gateway, charged by the real billing: a customer with a balance
 * keeps a short port renewed (debited once, the line in the transaction list, the end moved); one
 * with an empty balance gets the refusal recorded and mailed.
 */
@ExtendWith(FleetExtension.class)
class PortRenewalJourneyTest {

    @Test
    void a_port_is_renewed_from_the_balance_and_an_empty_balance_gets_the_refusal_mailed(Fleet fleet) throws Exception {
        var admin = Journeys.admin(fleet);
        String gateway = fleet.gatewayUrl();

        // a customer with a balance buys a slot and keeps a one-minute port with auto-renewal on
        var rich = Journeys.newUser(fleet);
        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body(Map.of("amount_minor", 10_000, "reason", "journey credit"))
                .post("/v1/admin/billing/users/" + rich.userId() + "/credits/grant").then().statusCode(201);
        long slot = Journeys.at(gateway, rich.ip()).auth().oauth2(rich.accessToken()).contentType("application/json")
                .header("Idempotency-Key", "slot-" + rich.userId()).body(Map.of("resource", "ports", "amount", 1))
                .post("/v1/billing/purchases").then().statusCode(201).extract().jsonPath().getLong("purchase.total_minor");
        String port = createPort(gateway, rich);
        Instant ends = Instant.parse(autoRenewal(gateway, rich, port).path("expires_at"));
        Journeys.at(gateway, rich.ip()).auth().oauth2(rich.accessToken()).contentType("application/json")
                .body(Map.of("enabled", true, "renewal_days", 1)).patch("/v1/ports/" + port + "/auto-renewal").then().statusCode(200)
                .body("enabled", equalTo(true));
        until(() -> autoRenewal(gateway, rich, port).<Integer>path("total_auto_renewals") == 1, Duration.ofSeconds(45));

        Response renewed = autoRenewal(gateway, rich, port);
        assertEquals(ends.plus(Duration.ofDays(1)), Instant.parse(renewed.path("expires_at")));
        assertEquals(0, (int) renewed.path("failed_attempts"));
        Journeys.at(gateway, rich.ip()).auth().oauth2(rich.accessToken()).get("/v1/ports/" + port).then().statusCode(200)
                .body("status", equalTo("active")).body("expires_at", equalTo(ends.plus(Duration.ofDays(1)).toString()));
        // a day of a shared slot (300 a month) is 10, taken once, and listed as a purchase
        long available = Journeys.at(gateway, rich.ip()).auth().oauth2(rich.accessToken()).get("/v1/billing/balance").jsonPath()
                .getLong("available_minor");
        assertEquals(10_000 - slot - 10, available);
        List<Map<String, Object>> lines = Journeys.at(gateway, rich.ip()).auth().oauth2(rich.accessToken())
                .get("/v1/billing/transactions?page_size=100").then().statusCode(200).extract().jsonPath().getList("data");
        List<Map<String, Object>> renewals = lines.stream().filter(l -> "port_renewal".equals(l.get("reference_type"))).toList();
        assertEquals(1, renewals.size(), lines.toString());
        assertEquals("purchase", renewals.getFirst().get("type"));
        assertEquals(-10, ((Number) renewals.getFirst().get("amount_minor")).intValue());

        // a customer given a slot but no money: the attempt is refused, recorded and mailed, nothing is taken
        var poor = Journeys.newUser(fleet);
        Journeys.at(gateway, admin.ip()).auth().oauth2(admin.accessToken()).contentType("application/json")
                .body(Map.of("resource", "ports", "amount", 1, "charge_user", false))
                .post("/v1/admin/billing/users/" + poor.userId() + "/purchases").then().statusCode(201);
        String poorPort = createPort(gateway, poor);
        Instant poorEnds = Instant.parse(autoRenewal(gateway, poor, poorPort).path("expires_at"));
        Journeys.at(gateway, poor.ip()).auth().oauth2(poor.accessToken()).contentType("application/json")
                .body(Map.of("enabled", true)).patch("/v1/ports/" + poorPort + "/auto-renewal").then().statusCode(200);
        until(() -> autoRenewal(gateway, poor, poorPort).<Integer>path("failed_attempts") == 1, Duration.ofSeconds(45));
        autoRenewal(gateway, poor, poorPort).then().body("last_failure_reason", equalTo("INSUFFICIENT_BALANCE"))
                .body("total_auto_renewals", equalTo(0)).body("expires_at", equalTo(poorEnds.toString()));
        MailSandbox.Message mail = MailText.await(fleet, poor.email(), "Your proxy port could not be renewed");
        String body = MailText.decoded(MailText.unfold(mail.data()));
        assertTrue(body.contains("for 30 day(s) did not go through") && body.contains("does not cover it"), body);
        assertEquals(0, Journeys.at(gateway, poor.ip()).auth().oauth2(poor.accessToken()).get("/v1/billing/balance").jsonPath()
                .getLong("available_minor"));
    }

    /** A one-minute port, once proxy-svc has read the slot billing granted (a port asked for before that is refused). */
    private static String createPort(String gateway, Journeys.Account account) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Response made = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                    .body(Map.of("country_id", "US", "expires_in", 60)).post("/v1/ports");
            if (made.statusCode() == 201) {
                return made.path("id");
            }
            assertEquals(409, made.statusCode(), made.asString());
            assertTrue(System.nanoTime() < end, "the slot never reached proxy-svc: " + made.asString());
            Thread.sleep(250);
        }
    }

    private static Response autoRenewal(String gateway, Journeys.Account account, String port) {
        return Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/ports/" + port + "/auto-renewal");
    }

    private static void until(BooleanSupplier condition, Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "not within " + max);
            Thread.sleep(250);
        }
    }
}
