package io.tollgate.e2e;

import com.standardwebhooks.Webhook;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A paid top-up: checkout, provider webhook, billing event; then a signed delivery to the partner, the bell, the receipt mail. */
@ExtendWith(FleetExtension.class)
class WebhookJourneyTest {

    @Test
    void a_paid_top_up_reaches_the_partners_endpoint_signed_and_the_bell(Fleet fleet) throws Exception {
        try (Partner partner = Partner.at("/tollgate")) {
            List<Partner.Received> received = partner.received;
            var account = Journeys.newUser(fleet);
            String gateway = fleet.gatewayUrl();
            String hookUrl = partner.url();
            // a loopback URL the deployment has not allow-listed would be refused; this one is, so it is accepted
            Response created = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                    .body(Map.of("url", hookUrl, "events", List.of("payment.succeeded", "invoice.issued"), "description", "books"))
                    .post("/v1/webhooks");
            created.then().statusCode(201).body("secret", startsWith("whsec_"));
            String endpoint = created.path("id");
            String secret = created.path("secret");
            Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                    .body(Map.of("url", "http://169.254.169.254/latest", "events", List.of("payment.succeeded")))
                    .post("/v1/webhooks").then().statusCode(400).body("code", equalTo("WEBHOOK_URL_REFUSED"));

            Response started = Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).contentType("application/json")
                    .body("{\"amount_minor\": 1500, \"currency\": \"USD\", \"provider\": \"stripe\"}").post("/v1/billing/top-ups");
            started.then().statusCode(201);
            assertEquals(200, fleet.sandbox().complete(started.path("provider_payment_id"), true));

            long waiting = System.nanoTime();
            while (received.stream().noneMatch(r -> r.body().contains("\"payment.succeeded\""))) {
                assertTrue(System.nanoTime() - waiting < 30_000_000_000L, "the partner's webhook did not arrive in 30 s");
                Thread.sleep(200);
            }
            Partner.Received paid = received.stream().filter(r -> r.body().contains("\"payment.succeeded\"")).findFirst().orElseThrow();
            new Webhook(secret).verify(paid.body(), paid.headers());
            JsonPath body = JsonPath.from(paid.body());
            assertEquals(started.<String>path("payment_id"), body.getString("data.payment_id"));
            assertEquals(1500, body.getInt("data.credited_minor"));

            // the delivery is in the endpoint's history and the payment in the bell
            Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken())
                    .get("/v1/webhooks/" + endpoint + "/deliveries?event_type=payment.succeeded").then().statusCode(200)
                    .body("data[0].status", equalTo("succeeded")).body("data[0].webhook_id", equalTo(paid.headers().get("webhook-id").getFirst()));
            while (!Journeys.at(gateway, account.ip()).auth().oauth2(account.accessToken()).get("/v1/notifications")
                    .jsonPath().getList("data.title").contains("Top-up received")) {
                assertTrue(System.nanoTime() - waiting < 60_000_000_000L, "the in-app notice did not arrive");
                Thread.sleep(200);
            }
            // and the receipt is in the mailbox
            while (fleet.mail().messagesTo(account.email()).stream().noneMatch(m -> m.subject().equals("Your payment receipt"))) {
                assertTrue(System.nanoTime() - waiting < 60_000_000_000L, "the receipt mail did not arrive");
                Thread.sleep(200);
            }
            String receipt = fleet.mail().messagesTo(account.email()).stream().filter(m -> m.subject().equals("Your payment receipt"))
                    .findFirst().orElseThrow().data();
            assertTrue(receipt.contains("thank you for your payment of 15.00 USD") && receipt.contains("X-Tollgate-Template: topup-succeeded"),
                    receipt);
            // a stranger cannot see the endpoint
            var stranger = Journeys.newUser(fleet);
            Journeys.at(gateway, stranger.ip()).auth().oauth2(stranger.accessToken()).get("/v1/webhooks/" + endpoint).then()
                    .statusCode(404).contentType("application/problem+json");
        }
    }
}
