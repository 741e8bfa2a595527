package io.tollgate.notification;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.billing.BalanceLow;
import io.tollgate.contracts.billing.InvoiceIssued;
import io.tollgate.contracts.billing.PaymentSucceeded;
import io.tollgate.contracts.proxy.PortCreated;
import io.tollgate.contracts.proxy.PortDeleted;
import io.tollgate.contracts.proxy.PortExpired;
import io.tollgate.contracts.proxy.PortExpiring;
import io.tollgate.contracts.proxy.PortRotated;
import io.tollgate.contracts.proxy.PortSuspended;
import io.tollgate.contracts.proxy.PortUnsuspended;
import io.tollgate.contracts.render.JobFailed;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Billing's events, published to Kafka as billing publishes them, become the user's notifications. */
@QuarkusTest
public class NotificationsTest {

    public static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000c1");
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void billing_events_become_notifications_once_each() throws Exception {
        UUID user = UUID.randomUUID();
        String token = TestTokens.user(user, TENANT).sign();
        UUID paymentId = UUID.randomUUID();
        String paid = publish(new PaymentSucceeded(user, TENANT, paymentId, "stripe", "pi_1", 2500, "USD", 2500, null,
                "checkout", Instant.now()), null);
        publish(new PaymentSucceeded(user, TENANT, paymentId, "stripe", "pi_1", 2500, "USD", 2500, null, "checkout",
                Instant.now()), paid); // the same event delivered again
        publish(new BalanceLow(user, TENANT, "USD", 300, 500, Instant.now()), null);
        UUID invoice = UUID.randomUUID();
        publish(new InvoiceIssued(user, TENANT, invoice, "INV-2026-000042", 2500, "USD", Instant.now()), null);

        awaitCount(token, 3);
        given().auth().oauth2(token).get("/v1/notifications").then().statusCode(200)
                .body("meta.total", equalTo(3)).body("meta.unread_count", equalTo(3))
                .body("data.title", contains("Invoice INV-2026-000042", "Low balance", "Top-up received"))
                .body("data[2].body", equalTo("25.00 USD was added to your balance."))
                .body("data[2].action_url", equalTo("/v1/billing/payments/" + paymentId))
                .body("data[1].severity", equalTo("warning"))
                .body("data[0].action_url", equalTo("/v1/billing/invoices/" + invoice + "/pdf"));
        // another user sees none of them
        given().auth().oauth2(TestTokens.user(UUID.randomUUID(), TENANT).sign()).get("/v1/notifications").then()
                .body("meta.total", equalTo(0));
    }

    @Test
    void a_failed_render_job_becomes_one_notice_that_says_nothing_was_charged() throws Exception {
        UUID user = UUID.randomUUID();
        String token = TestTokens.user(user, TENANT).sign();
        JobFailed failed = new JobFailed(user, TENANT, "5f0c3a52-1d55-4f7e-9a3e-3b1f4f1a2b3c", UUID.randomUUID(), "no renderer",
                "local/procedural-image", Instant.now());
        String id = io.tollgate.kit.testing.Events.publish(failed, null, failed.jobId(), "render-svc");
        io.tollgate.kit.testing.Events.publish(failed, id, failed.jobId(), "render-svc"); // delivered again
        awaitCount(token, 1);
        Thread.sleep(500);
        given().auth().oauth2(token).get("/v1/notifications").then().statusCode(200).body("meta.total", equalTo(1))
                .body("data[0].category", equalTo("render")).body("data[0].severity", equalTo("error"))
                .body("data[0].title", equalTo("Render job on local/procedural-image failed"))
                .body("data[0].body", equalTo("Job " + failed.jobId() + " failed: no renderer. Its hold was released; nothing was charged."))
                .body("data[0].action_url", equalTo("/v1/queue/local/procedural-image/requests/" + failed.jobId() + "/status"));
    }

    @Test
    void a_port_ending_or_ended_is_one_notice_each_and_a_suspension_of_many_ports_is_one_notice() throws Exception {
        UUID user = UUID.randomUUID();
        String token = TestTokens.user(user, TENANT).sign();
        UUID port = UUID.randomUUID();
        Instant ends = Instant.parse("2026-12-03T14:05:00Z");
        // the user's own doing is not announced in the bell
        proxy(new PortCreated(user, TENANT, port, "us-port-1", "US T-Mobile 1", "US", "New York", "T-Mobile", false, false, ends,
                Instant.now()), port, null);
        proxy(new PortRotated(user, TENANT, port, "us-port-1", "US", UUID.randomUUID(), UUID.randomUUID(), "127.77.0.1", "127.77.0.2",
                "manual", "device_switch", 1, Instant.now()), port, null);
        PortExpiring expiring = new PortExpiring(user, TENANT, port, "us-port-1", "US T-Mobile 1", "US", false, ends, Instant.now());
        String id = proxy(expiring, port, null);
        proxy(expiring, port, id); // delivered again
        awaitCount(token, 1);
        given().auth().oauth2(token).get("/v1/notifications").then().statusCode(200).body("meta.total", equalTo(1))
                .body("data[0].category", equalTo("proxy")).body("data[0].severity", equalTo("warning"))
                .body("data[0].title", equalTo("Port US T-Mobile 1 ends soon"))
                .body("data[0].body", equalTo("Your shared port us-port-1 (US) ends at 3 Dec 2026, 14:05 UTC. Extend or renew it to keep it."))
                .body("data[0].action_url", equalTo("/v1/ports/" + port));

        proxy(new PortExpired(user, TENANT, port, "us-port-1", "US", false, ends, ends), port, null);
        awaitCount(token, 2);
        given().auth().oauth2(token).get("/v1/notifications").then().body("data[0].title", equalTo("Port us-port-1 expired"))
                .body("data[0].severity", equalTo("info"))
                .body("data[0].body", equalTo("Your shared port us-port-1 (US) reached its end at 3 Dec 2026, 14:05 UTC and stopped; "
                        + "its slot is free for a new port."));

        // billing's word suspends three private ports at one moment: one notice; the resumption likewise
        Instant paused = Instant.now();
        Instant resumed = paused.plusSeconds(60);
        List<UUID> privatePorts = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        for (UUID p : privatePorts) {
            proxy(new PortSuspended(user, TENANT, p, "de-port-" + privatePorts.indexOf(p), true, "traffic_exhausted", paused), p, null);
        }
        for (UUID p : privatePorts) {
            proxy(new PortUnsuspended(user, TENANT, p, "de-port-" + privatePorts.indexOf(p), true, "traffic_restored", resumed), p, null);
        }
        proxy(new PortDeleted(user, TENANT, port, "us-port-1", "US", false, Instant.now()), port, null);
        awaitCount(token, 4);
        Thread.sleep(1_000); // the other ports' events had time to (wrongly) add notices
        given().auth().oauth2(token).get("/v1/notifications?page_size=10").then().body("meta.total", equalTo(4))
                .body("data.title", contains("Private proxy ports resumed", "Private proxy ports paused", "Port us-port-1 expired",
                        "Port US T-Mobile 1 ends soon"))
                .body("data[1].body", equalTo("Your private ports stopped carrying traffic because your private proxy traffic ran out. "
                        + "They keep their slots, credentials and time; buy traffic to resume them."))
                .body("data[1].action_url", equalTo("/v1/ports?status=suspended")).body("data[0].severity", equalTo("success"));
        given().auth().oauth2(TestTokens.user(UUID.randomUUID(), TENANT).sign()).get("/v1/notifications").then()
                .body("meta.total", equalTo(0));
    }

    /** Publishes a proxy event as proxy-svc's relay does: keyed by its port. */
    static String proxy(Object payload, UUID port, String id) throws Exception {
        return io.tollgate.kit.testing.Events.publish(payload, id, port.toString(), "proxy-svc");
    }

    @Test
    void reading_and_deleting_change_only_the_callers_own() throws Exception {
        UUID user = UUID.randomUUID();
        String token = TestTokens.user(user, TENANT).sign();
        for (int i = 0; i < 3; i++) {
            publish(new BalanceLow(user, TENANT, "USD", 100 - i, 500, Instant.now()), null);
        }
        awaitCount(token, 3);
        String first = given().auth().oauth2(token).get("/v1/notifications").path("data[0].id");
        String stranger = TestTokens.user(UUID.randomUUID(), TENANT).sign();
        given().auth().oauth2(stranger).post("/v1/notifications/" + first + "/read").then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(stranger).delete("/v1/notifications/" + first).then().statusCode(404);

        given().auth().oauth2(token).post("/v1/notifications/" + first + "/read").then().statusCode(200)
                .body("read", equalTo(true));
        given().auth().oauth2(token).get("/v1/notifications/unread-count").then().body("unread_count", equalTo(2));
        given().auth().oauth2(token).get("/v1/notifications?unread_only=true").then().body("meta.total", equalTo(2));
        given().auth().oauth2(token).post("/v1/notifications/read-all").then().statusCode(200).body("modified_count", equalTo(2));
        given().auth().oauth2(token).get("/v1/notifications/unread-count").then().body("unread_count", equalTo(0));
        given().auth().oauth2(token).delete("/v1/notifications/" + first).then().statusCode(204);
        given().auth().oauth2(token).get("/v1/notifications").then().body("meta.total", equalTo(2));

        String reader = TestTokens.user(user, TENANT).apiKey(UUID.randomUUID(), "account:read").sign();
        given().auth().oauth2(reader).get("/v1/notifications").then().statusCode(200).body("meta.total", equalTo(2));
        given().auth().oauth2(reader).post("/v1/notifications/read-all").then().statusCode(403).body("code", equalTo("JWT_ONLY"));
        String other = TestTokens.user(user, TENANT).apiKey(UUID.randomUUID(), "billing:read").sign();
        given().auth().oauth2(other).get("/v1/notifications").then().statusCode(403).body("code", equalTo("INSUFFICIENT_SCOPE"));
        given().get("/v1/notifications").then().statusCode(401);
        given().auth().oauth2(token).get("/v1/notifications?page_size=0").then().statusCode(400)
                .contentType("application/problem+json");
        given().auth().oauth2(token).get("/v1/notifications?page_size=1000").then().statusCode(200)
                .body("meta.page_size", equalTo(100));
        // delete all: the caller's own only
        given().auth().oauth2(reader).delete("/v1/notifications").then().statusCode(403);
        given().auth().oauth2(stranger).delete("/v1/notifications").then().statusCode(200).body("deleted_count", equalTo(0));
        given().auth().oauth2(token).delete("/v1/notifications").then().statusCode(200).body("deleted_count", equalTo(2));
        given().auth().oauth2(token).get("/v1/notifications").then().body("meta.total", equalTo(0));
    }

    private static void awaitCount(String token, int count) throws InterruptedException {
        long started = System.nanoTime();
        while (given().auth().oauth2(token).get("/v1/notifications").jsonPath().getInt("meta.total") < count) {
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(60).toNanos(), "notifications did not arrive");
            Thread.sleep(200);
        }
    }

    /** Publishes {@code payload} as billing's relay does (binary CloudEvents); {@code id} reuses an event id. */
    public static String publish(Object payload, String id) throws Exception {
        return publish(payload, id, null);
    }

    /** As {@link #publish(Object, String)}, on the partition of {@code key} (default: the event's user). */
    public static String publish(Object payload, String id, String key) throws Exception {
        // keyed like billing's relay keys them, by aggregate: here the user, so the test's order is the topic's
        String partition = key != null ? key : JSON.readTree(JSON.writeValueAsBytes(payload)).path("user_id").asText();
        return io.tollgate.kit.testing.Events.publish(payload, id, partition, "billing-svc");
    }
}
