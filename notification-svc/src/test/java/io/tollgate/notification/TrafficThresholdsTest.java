package io.tollgate.notification;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tollgate.contracts.billing.TrafficThresholdCrossed;
import io.tollgate.kit.testing.TestTokens;
import io.tollgate.notification.mail.UnsubscribeTokens;
import io.tollgate.notification.webhooks.Receiver;
import io.tollgate.sandbox.MailSandbox;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Billing's traffic marks (50, 80, 100 %) reach the bell, the partner's webhooks as
 * {@code traffic.threshold_50/80/100}, and the mailbox only for users who switched bandwidth mail on.
 */
@QuarkusTest
@QuarkusTestResource(SmtpSandbox.class)
class TrafficThresholdsTest {

    static final long GB = 1_000_000_000L;
    static final String SUBJECT = "How much of your proxy traffic is used";

    @Inject
    UnsubscribeTokens tokens;

    @Test
    void each_mark_is_a_notice_and_a_signed_webhook_of_its_own_type() throws Exception {
        try (Receiver partner = new Receiver()) {
            List<Receiver.Received> received = partner.received;
            MailPreferencesTest.Customer c = MailPreferencesTest.customer(tokens);
            given().auth().oauth2(c.token()).get("/v1/webhooks/event-types").then().statusCode(200)
                    .body("data.type", hasItems("traffic.threshold_50", "traffic.threshold_80", "traffic.threshold_100"));
            var created = given().auth().oauth2(c.token()).contentType(ContentType.JSON)
                    .body(Map.of("url", partner.url("/traffic"),
                            "events", List.of("traffic.threshold_50", "traffic.threshold_100")))
                    .post("/v1/webhooks").then().statusCode(201).extract();
            String endpoint = created.path("id");
            String secret = created.path("secret");

            String fifty = NotificationsTest.publish(crossed(c, "traffic_shared", 50, GB / 2), null);
            NotificationsTest.publish(crossed(c, "traffic_shared", 80, 8 * GB / 10), null); // not subscribed
            NotificationsTest.publish(crossed(c, "traffic_shared", 100, GB), null);
            NotificationsTest.publish(crossed(c, "traffic_shared", 50, GB / 2), fifty); // the first again
            MailPreferencesTest.await("two deliveries", () -> received.size() >= 2);
            MailPreferencesTest.await("three notices", () -> given().auth().oauth2(c.token()).get("/v1/notifications")
                    .jsonPath().getList("data").size() >= 3);

            List<String> types = new ArrayList<>();
            for (Receiver.Received r : received) {
                new Webhook(secret).verify(r.body(), r.headers()); // throws if the signature is wrong
                JsonNode body = NotificationsTest.JSON.readTree(r.body());
                types.add(body.path("type").asText());
                assertEquals(c.user().toString(), body.path("data").path("user_id").asText());
                assertEquals(GB, body.path("data").path("allowance_bytes").asLong());
            }
            // each delivery is its own attempt, sent in parallel to a receiver that answers in parallel: their arrival order is not promised
            assertEquals(List.of("traffic.threshold_100", "traffic.threshold_50"), types.stream().sorted().toList());
            given().auth().oauth2(c.token()).get("/v1/webhooks/" + endpoint + "/deliveries?event_type=traffic.threshold_100").then()
                    .statusCode(200).body("meta.total", equalTo(1)).body("data[0].status", equalTo("succeeded"));

            // one notice per mark, the redelivered 50 % not twice; newest first
            given().auth().oauth2(c.token()).get("/v1/notifications").then().statusCode(200)
                    .body("data.size()", equalTo(3))
                    .body("data.title", equalTo(List.of("Shared proxy traffic 100 % used", "Shared proxy traffic 80 % used",
                            "Shared proxy traffic 50 % used")))
                    .body("data.category", equalTo(List.of("usage", "usage", "usage")))
                    .body("data[2].body", equalTo("You have used 0.50 GB of your 1.00 GB of shared proxy traffic. Buy more before it runs out."))
                    .body("data[0].severity", equalTo("warning")).body("data[2].severity", equalTo("info"));
            assertEquals(2, received.size(), "the redelivered event was not sent again");
            // another user sees none of them
            given().auth().oauth2(TestTokens.user(UUID.randomUUID(), c.tenant()).sign()).get("/v1/notifications").then()
                    .body("data.size()", equalTo(0));
        }
    }

    @Test
    void bandwidth_mail_is_off_until_the_user_switches_it_on() throws Exception {
        MailPreferencesTest.Customer c = MailPreferencesTest.customer(tokens);
        given().auth().oauth2(c.token()).get("/v1/email-preferences").then().statusCode(200)
                .body("subscriptions.bandwidth", equalTo(false)).body("subscriptions.usage", equalTo(true));
        String admin = TestTokens.user(UUID.randomUUID(), c.tenant()).roles("admin").sign();

        NotificationsTest.publish(crossed(c, "traffic_private", 50, GB / 2), null);
        MailPreferencesTest.await("the suppressed mail in the log", () -> given().auth().oauth2(admin)
                .get("/v1/admin/notifications/mail-log?recipient=" + c.email() + "&status=suppressed").<Integer>path("meta.total") == 1);
        given().auth().oauth2(admin).get("/v1/admin/notifications/mail-log?recipient=" + c.email() + "&status=suppressed").then()
                .body("data[0].template", equalTo("traffic-threshold")).body("data[0].category", equalTo("bandwidth"));
        assertTrue(MailPreferencesTest.mails(c.email(), SUBJECT).isEmpty(), "no bandwidth mail by default");

        // switching other mail off and on leaves bandwidth as it was
        given().auth().oauth2(c.token()).contentType(ContentType.JSON).body(Map.of("billing", false)).patch("/v1/email-preferences")
                .then().statusCode(200).body("subscriptions.bandwidth", equalTo(false));
        given().auth().oauth2(c.token()).contentType(ContentType.JSON).body(Map.of("bandwidth", true)).patch("/v1/email-preferences")
                .then().statusCode(200).body("subscriptions.bandwidth", equalTo(true)).body("subscriptions.billing", equalTo(false));
        NotificationsTest.publish(crossed(c, "traffic_private", 100, GB), null);
        MailSandbox.Message mail = MailPreferencesTest.awaitMail(c.email(), SUBJECT, 1).getFirst();
        String raw = MailPreferencesTest.unfold(mail.data());
        assertTrue(raw.contains("X-Tollgate-Template: traffic-threshold"), raw);
        assertTrue(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "bandwidth mail can be unsubscribed: " + raw);
        String body = MailPreferencesTest.decoded(raw);
        assertTrue(body.contains("you have used 100 % of your private proxy traffic: 1.00 GB of 1.00 GB."), body);
        assertTrue(body.contains("Your private ports are paused until you buy more traffic."), body);

        // off again: the next mark is not mailed
        given().auth().oauth2(c.token()).contentType(ContentType.JSON).body(Map.of("bandwidth", false)).patch("/v1/email-preferences")
                .then().statusCode(200).body("subscriptions.bandwidth", equalTo(false));
        NotificationsTest.publish(crossed(c, "traffic_shared", 80, 8 * GB / 10), null);
        MailPreferencesTest.await("the second suppressed mail", () -> given().auth().oauth2(admin)
                .get("/v1/admin/notifications/mail-log?recipient=" + c.email() + "&status=suppressed").<Integer>path("meta.total") == 2);
        assertEquals(1, MailPreferencesTest.mails(c.email(), SUBJECT).size());
    }

    @Test
    void bandwidth_is_a_choice_on_the_preferences_page_and_unchecked_by_default() throws Exception {
        MailPreferencesTest.Customer c = MailPreferencesTest.customer(tokens);
        String token = tokens.issue(c.user());
        given().get("/email-preferences?token=" + token).then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("<input type=\"checkbox\" id=\"on-bandwidth\" name=\"on\" value=\"bandwidth\"><label"))
                .body(org.hamcrest.Matchers.containsString("Traffic at 50, 80 and 100 %"));
        given().contentType(ContentType.URLENC).formParam("action", "save").formParam("on", "bandwidth", "usage")
                .post("/email-preferences?token=" + token).then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("value=\"bandwidth\" checked>"));
        given().get("/v1/unsubscribe?token=" + token).then().statusCode(200).body("subscriptions.bandwidth", equalTo(true))
                .body("subscriptions.billing", equalTo(false));
        given().auth().oauth2(c.token()).contentType(ContentType.JSON).body(Map.of("bandwidth", "yes")).patch("/v1/email-preferences")
                .then().statusCode(400).contentType("application/problem+json").body("code", equalTo("VALIDATION_ERROR"));
        given().get("/v1/unsubscribe?token=" + token).then().body("subscriptions.bandwidth", equalTo(true));
    }

    private static TrafficThresholdCrossed crossed(MailPreferencesTest.Customer c, String resource, int percent, long used) {
        return new TrafficThresholdCrossed(c.user(), c.tenant(), resource, percent, used, GB, Instant.now());
    }
}
