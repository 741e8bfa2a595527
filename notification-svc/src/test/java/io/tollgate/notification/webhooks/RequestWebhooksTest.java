package io.tollgate.notification.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.render.JobWebhook;
import io.tollgate.kit.testing.Events;
import io.tollgate.kit.testing.TestTokens;
import io.tollgate.notification.NotificationsTest;
import io.tollgate.notification.SmtpSandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests' own webhooks (render's webhook_url): delivered by the same pipeline, signed with the user's request signer. */
@QuarkusTest
@QuarkusTestResource(SmtpSandbox.class)
class RequestWebhooksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final UUID TENANT = NotificationsTest.TENANT;

    private Receiver receiver;

    @BeforeEach
    void receiver() throws Exception {
        receiver = new Receiver();
    }

    @AfterEach
    void close() {
        receiver.close();
    }

    private static String publish(UUID user, String job, String url, String event, String status) throws Exception {
        JsonNode data = JSON.createObjectNode().put("request_id", job).put("model_id", "local/procedural-image").put("status", status);
        return Events.publish(new JobWebhook(user, TENANT, job, "local/procedural-image", url, event, data, Instant.now()), null,
                user.toString(), "render-svc");
    }

    @Test
    void a_requests_webhooks_arrive_once_each_signed_with_the_users_request_secret() throws Exception {
        UUID user = UUID.randomUUID();
        String token = TestTokens.user(user, TENANT).sign();
        String job = UUID.randomUUID().toString();
        String url = receiver.url("/render-hook");
        publish(user, job, url, "start", "IN_PROGRESS");
        String completed = publish(user, job, url, "completed", "COMPLETED");
        Events.publish(new JobWebhook(user, TENANT, job, "local/procedural-image", url, "completed",
                JSON.createObjectNode().put("request_id", job).put("model_id", "m").put("status", "COMPLETED"), Instant.now()),
                completed, user.toString(), "render-svc"); // the same event again
        WebhooksTest.await("both webhooks", () -> receiver.at("/render-hook").size() >= 2);

        var secret = given().auth().oauth2(token).get("/v1/webhooks/default/secret").then().statusCode(200)
                .body("key", startsWith("whsec_")).extract();
        String key = secret.path("key");
        // asked again, it is the same secret
        given().auth().oauth2(token).get("/v1/webhooks/default/secret").then().body("key", equalTo(key));
        String signer = secret.path("id");
        WebhooksTest.await("both deliveries recorded", () -> given().auth().oauth2(token).get("/v1/webhooks/" + signer
                + "/deliveries?status=succeeded").<Integer>path("meta.total") == 2);
        List<Receiver.Received> got = receiver.at("/render-hook");
        assertEquals(2, got.size(), "the replayed event was not sent again");
        for (Receiver.Received r : got) {
            new Webhook(key).verify(r.body(), r.headers());
        }
        List<String> types = got.stream().map(r -> {
            try {
                return JSON.readTree(r.body()).path("type").asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).sorted().toList();
        assertEquals(List.of("request.completed", "request.start"), types);
        JsonNode body = JSON.readTree(got.getFirst().body());
        assertEquals(job, body.path("data").path("request_id").asText());
        assertNotNull(body.path("timestamp").asText(null));
        // the signer is not one of the partner's endpoints
        given().auth().oauth2(token).get("/v1/webhooks").then().statusCode(200).body("meta.total", equalTo(0));
    }

    @Test
    void a_gone_or_refused_request_url_fails_its_delivery_but_never_switches_the_signer_off() throws Exception {
        UUID user = UUID.randomUUID();
        String token = TestTokens.user(user, TENANT).sign();
        receiver.answer("/gone", n -> Receiver.Answer.of(410));
        publish(user, UUID.randomUUID().toString(), receiver.url("/gone"), "completed", "COMPLETED");
        WebhooksTest.await("the 410", () -> receiver.at("/gone").size() == 1);
        String signer = given().auth().oauth2(token).get("/v1/webhooks/default/secret").path("id");
        WebhooksTest.await("the failure recorded", () -> "failed".equals(given().auth().oauth2(token)
                .get("/v1/webhooks/" + signer + "/deliveries").path("data[0].status")));
        // a private address is refused before the attempt, by the same SSRF rules as every endpoint's
        publish(user, UUID.randomUUID().toString(), "http://10.1.2.3/hook", "completed", "COMPLETED");
        WebhooksTest.await("the refusal recorded", () -> given().auth().oauth2(token).get("/v1/webhooks/" + signer
                + "/deliveries?status=retrying").<Integer>path("meta.total") == 1);
        String error = given().auth().oauth2(token).get("/v1/webhooks/" + signer + "/deliveries?status=retrying").path("data[0].last_error");
        assertTrue(error != null && !error.isBlank(), "the refusal says why");

        publish(user, UUID.randomUUID().toString(), receiver.url("/fine"), "completed", "COMPLETED");
        WebhooksTest.await("the next request's webhook", () -> receiver.at("/fine").size() == 1);
        given().auth().oauth2(token).get("/v1/webhooks/" + signer).then().statusCode(200).body("active", equalTo(true));
    }
}
