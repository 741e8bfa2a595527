package io.tollgate.notification.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.tollgate.contracts.billing.BalanceLow;
import io.tollgate.contracts.billing.PaymentSucceeded;
import io.tollgate.contracts.proxy.PortCreated;
import io.tollgate.contracts.proxy.PortExpiring;
import io.tollgate.contracts.proxy.PortRotated;
import io.tollgate.contracts.proxy.PortSuspended;
import io.tollgate.kit.testing.Events;
import io.tollgate.kit.testing.TestTokens;
import io.tollgate.notification.NotificationsTest;
import io.tollgate.notification.SmtpSandbox;
import io.tollgate.notification.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outgoing webhooks against a real receiver on loopback, with the service's real database and Kafka. */
@QuarkusTest
@QuarkusTestResource(SmtpSandbox.class)
class WebhooksTest {

    static final UUID TENANT = NotificationsTest.TENANT;
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TestClock clock;
    @Inject
    UrlGuard guard;
    @Inject
    DeliveryWorker worker;
    @Inject
    io.tollgate.notification.mail.UnsubscribeTokens tokens;
    @Inject
    WebhookSecrets secrets;
    @Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    Receiver receiver;

    @BeforeEach
    void receiver() throws Exception {
        receiver = new Receiver();
    }

    @AfterEach
    void restore() {
        receiver.close();
        clock.reset();
        guard.resolver(InetAddress::getAllByName);
    }

    record Endpoint(String id, String secret, String token, UUID user) {
    }

    Endpoint endpoint(String path, String... events) {
        UUID user = UUID.randomUUID();
        String token = TestTokens.user(user, TENANT).sign();
        var created = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("url", receiver.url(path), "events", List.of(events), "description", "partner"))
                .post("/v1/webhooks").then().statusCode(201)
                .body("secret", startsWith("whsec_")).body("active", equalTo(true)).body("scope", equalTo("user"))
                .extract();
        return new Endpoint(created.path("id"), created.path("secret"), token, user);
    }

    static UUID userOf(Endpoint e) {
        return e.user();
    }

    @Test
    void an_event_arrives_once_signed_so_the_standard_webhooks_library_verifies_it() throws Exception {
        Endpoint e = endpoint("/hooks", "payment.succeeded");
        UUID user = userOf(e);
        UUID payment = UUID.randomUUID();
        PaymentSucceeded paid = new PaymentSucceeded(user, TENANT, payment, "stripe", "pi_9", 2500, "USD", 2500, null, "checkout",
                Instant.now());
        String eventId = NotificationsTest.publish(paid, null);
        NotificationsTest.publish(paid, eventId); // the same event again
        NotificationsTest.publish(new BalanceLow(user, TENANT, "USD", 10, 100, Instant.now()), null); // not subscribed
        // another user's event of the same type is not this endpoint's
        NotificationsTest.publish(new PaymentSucceeded(UUID.randomUUID(), TENANT, UUID.randomUUID(), "stripe", "pi_x", 100, "USD", 100,
                null, "checkout", Instant.now()), null);
        await("the delivery", () -> receiver.at("/hooks").size() >= 1);
        await("the delivery to be recorded", () -> "succeeded".equals(given().auth().oauth2(e.token())
                .get("/v1/webhooks/" + e.id() + "/deliveries").path("data[0].status")));
        Thread.sleep(1_500); // the duplicate and the other events had time to (wrongly) arrive
        assertEquals(1, receiver.at("/hooks").size());

        Receiver.Received got = receiver.at("/hooks").getFirst();
        new Webhook(e.secret()).verify(got.body(), got.headers()); // throws if the signature is wrong
        assertTrue(got.header("webhook-signature").startsWith("v1,"));
        assertEquals("application/json", got.header("content-type"));
        JsonNode body = JSON.readTree(got.body());
        assertEquals("payment.succeeded", body.path("type").asText());
        assertEquals(payment.toString(), body.path("data").path("payment_id").asText());
        assertTrue(body.hasNonNull("timestamp"));
        // a tampered body or another secret fails verification
        assertThrows(WebhookVerificationException.class, () -> new Webhook(e.secret()).verify(got.body().replace("2500", "9500"),
                got.headers()));
        assertThrows(WebhookVerificationException.class, () -> new Webhook(Signatures.newSecret()).verify(got.body(), got.headers()));

        String delivery = given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id() + "/deliveries").then().statusCode(200)
                .body("meta.total", equalTo(1)).body("data[0].event_type", equalTo("payment.succeeded"))
                .body("data[0].attempts", equalTo(1)).body("data[0].last_status_code", equalTo(200))
                .body("data[0].webhook_id", equalTo(got.header("webhook-id")))
                .extract().path("data[0].id");
        given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id() + "/deliveries/" + delivery).then().statusCode(200)
                .body("payload", equalTo(got.body())).body("attempts[0].attempt", equalTo(1))
                .body("attempts[0].status_code", equalTo(200));
        given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id()).then().statusCode(200)
                .body("last_status_code", equalTo(200)).body("consecutive_failures", equalTo(0));

        // a manual redelivery sends the same message: same webhook-id, same body
        given().auth().oauth2(e.token()).post("/v1/webhooks/" + e.id() + "/deliveries/" + delivery + "/redeliver").then()
                .statusCode(202).body("status", equalTo("pending")).body("webhook_id", equalTo(got.header("webhook-id")));
        await("the redelivery", () -> receiver.at("/hooks").size() == 2);
        Receiver.Received again = receiver.at("/hooks").get(1);
        assertEquals(got.header("webhook-id"), again.header("webhook-id"));
        assertEquals(got.body(), again.body());
        new Webhook(e.secret()).verify(again.body(), again.headers());
    }

    @Test
    void a_partner_subscribes_to_port_events_and_receives_each_signed_with_the_events_own_fields() throws Exception {
        Endpoint e = endpoint("/ports", "port.rotated", "port.expiring", "port.suspended");
        UUID user = userOf(e);
        UUID port = UUID.randomUUID();
        Instant ends = Instant.parse("2026-12-03T09:30:00Z");
        // not subscribed, and another user's port: neither arrives
        Events.publish(new PortCreated(user, TENANT, port, "us-port-1", "US T-Mobile 1", "US", "New York", "T-Mobile", false, false,
                ends, Instant.now()), null, port.toString(), "proxy-svc");
        UUID strangers = UUID.randomUUID();
        Events.publish(new PortExpiring(UUID.randomUUID(), TENANT, strangers, "us-port-2", "US T-Mobile 2", "US", false, ends,
                Instant.now()), null, strangers.toString(), "proxy-svc");
        PortRotated rotated = new PortRotated(user, TENANT, port, "us-port-1", "US", UUID.randomUUID(), UUID.randomUUID(), "127.77.0.4",
                "127.77.0.9", "token", "device_switch", 3, Instant.now());
        String rotation = Events.publish(rotated, null, port.toString(), "proxy-svc");
        Events.publish(rotated, rotation, port.toString(), "proxy-svc"); // delivered again
        Events.publish(new PortExpiring(user, TENANT, port, "us-port-1", "US T-Mobile 1", "US", false, ends, Instant.now()), null,
                port.toString(), "proxy-svc");
        Events.publish(new PortSuspended(user, TENANT, port, "us-port-1", false, "traffic_exhausted", Instant.now()), null,
                port.toString(), "proxy-svc");
        await("three deliveries", () -> receiver.at("/ports").size() >= 3);
        Thread.sleep(1_500); // the duplicate and the others had time to (wrongly) arrive
        List<Receiver.Received> got = receiver.at("/ports");
        assertEquals(3, got.size());
        Map<String, JsonNode> byType = new HashMap<>();
        for (Receiver.Received r : got) {
            new Webhook(e.secret()).verify(r.body(), r.headers());
            JsonNode body = JSON.readTree(r.body());
            byType.put(body.path("type").asText(), body.path("data"));
        }
        assertEquals(Set.of("port.rotated", "port.expiring", "port.suspended"), byType.keySet());
        JsonNode r = byType.get("port.rotated");
        assertEquals(port.toString(), r.path("port_id").asText());
        assertEquals("127.77.0.9", r.path("new_ip").asText());
        assertEquals("token", r.path("trigger_type").asText());
        assertEquals(3, r.path("rotation_count").asInt());
        assertEquals(ends, Instant.parse(byType.get("port.expiring").path("expires_at").asText()));
        assertEquals("US T-Mobile 1", byType.get("port.expiring").path("display_name").asText());
        assertEquals("traffic_exhausted", byType.get("port.suspended").path("reason").asText());
        given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id() + "/deliveries?event_type=port.rotated").then().statusCode(200)
                .body("meta.total", equalTo(1));
        given().auth().oauth2(e.token()).get("/v1/webhooks/event-types").then().statusCode(200)
                .body("data.findAll { it.category == 'proxy' }.type", equalTo(List.of("port.created", "port.deleted", "port.rotated",
                        "port.expiring", "port.expired", "port.suspended", "port.unsuspended", "traffic.threshold_50", "traffic.threshold_80",
                        "traffic.threshold_100", "port.renewed", "port.renewal_failed")));
    }

    @Test
    void signing_secrets_are_sealed_at_rest_and_a_plain_one_is_sealed_by_the_sweep() throws Exception {
        Endpoint e = endpoint("/sealed", "payment.succeeded");
        UUID id = UUID.fromString(e.id());
        String stored = pool.preparedQuery("select secret from webhook_endpoints where id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(id)).await().indefinitely().iterator().next().getString(0);
        assertTrue(stored.startsWith("v1:"), stored);
        assertFalse(stored.contains(e.secret().substring("whsec_".length())), "the secret is stored in clear");
        assertEquals(e.secret(), secrets.open(stored, id));
        // bound to its row: the same sealed value under another endpoint's id does not open
        assertThrows(IllegalStateException.class, () -> secrets.open(stored, UUID.randomUUID()));

        // a row written in plain text (before sealing existed) still signs, and the sweep seals it
        String plain = Signatures.newSecret();
        pool.preparedQuery("update webhook_endpoints set secret = $2 where id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(id, plain)).await().indefinitely();
        assertTrue(secrets.sealPlain() >= 1);
        String resealed = pool.preparedQuery("select secret from webhook_endpoints where id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(id)).await().indefinitely().iterator().next().getString(0);
        assertTrue(resealed.startsWith("v1:"), resealed);
        assertEquals(plain, secrets.open(resealed, id));

        given().auth().oauth2(e.token()).contentType(ContentType.JSON).body(Map.of())
                .post("/v1/webhooks/" + e.id() + "/test").then().statusCode(200).body("success", equalTo(true));
        Receiver.Received got = receiver.at("/sealed").getFirst();
        new Webhook(plain).verify(got.body(), got.headers());
    }

    @Test
    void a_rotated_secret_signs_alongside_the_old_one_until_its_grace_ends() throws Exception {
        Endpoint e = endpoint("/rotating", "payment.succeeded");
        String rotated = given().auth().oauth2(e.token()).contentType(ContentType.JSON).body(Map.of("expire_previous_in_seconds", 3600))
                .post("/v1/webhooks/" + e.id() + "/rotate-secret").then().statusCode(200)
                .body("secret", startsWith("whsec_")).body("previous_secret_expires_at", not(nullValue()))
                .extract().path("secret");
        assertNotEquals(e.secret(), rotated);
        given().auth().oauth2(e.token()).contentType(ContentType.JSON).body(Map.of())
                .post("/v1/webhooks/" + e.id() + "/test").then().statusCode(200)
                .body("success", equalTo(true)).body("status_code", equalTo(200)).body("delivery_id", not(nullValue()));
        Receiver.Received both = receiver.at("/rotating").getFirst();
        assertEquals(2, both.header("webhook-signature").split(" ").length);
        new Webhook(rotated).verify(both.body(), both.headers());
        new Webhook(e.secret()).verify(both.body(), both.headers());
        assertEquals("webhook.test", JSON.readTree(both.body()).path("type").asText());

        // a grace that has ended (here: a rotation whose previous secret expires at once) leaves only the
        // newest secret signing. (Moving the shared clock an hour on instead made every other test's
        // pending retry due at that moment, and the burst could hold this send up past its wait.)
        String newest = given().auth().oauth2(e.token()).contentType(ContentType.JSON).body(Map.of("expire_previous_in_seconds", 0))
                .post("/v1/webhooks/" + e.id() + "/rotate-secret").then().statusCode(200).extract().path("secret");
        assertNotEquals(rotated, newest);
        given().auth().oauth2(e.token()).contentType(ContentType.JSON).body(Map.of("event_type", "payment.succeeded"))
                .post("/v1/webhooks/" + e.id() + "/test").then().statusCode(200).body("success", equalTo(true));
        Receiver.Received one = receiver.at("/rotating").get(1);
        assertEquals(1, one.header("webhook-signature").split(" ").length);
        assertEquals(Signatures.sign(newest, one.header("webhook-id"), Long.parseLong(one.header("webhook-timestamp")), one.body()),
                one.header("webhook-signature"));
        given().auth().oauth2(e.token()).contentType(ContentType.JSON).body(Map.of("expire_previous_in_seconds", 8 * 86_400))
                .post("/v1/webhooks/" + e.id() + "/rotate-secret").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void failures_are_retried_on_the_schedule_and_retry_after_is_honoured() throws Exception {
        receiver.answer("/flaky", n -> switch (n) {
            case 1 -> Receiver.Answer.of(500);
            case 2 -> new Receiver.Answer(503, Map.of("Retry-After", "600"), "busy");
            default -> Receiver.Answer.of(204);
        });
        Endpoint e = endpoint("/flaky", "balance.low");
        NotificationsTest.publish(new BalanceLow(userOf(e), TENANT, "USD", 10, 100, Instant.now()), null);
        await("the first attempt", () -> receiver.at("/flaky").size() == 1);
        ValidatableResponse first = awaitDelivery(e, "retrying");
        Instant attempted = Instant.parse(first.extract().path("data[0].updated_at"));
        Instant next = Instant.parse(first.extract().path("data[0].next_attempt_at"));
        // 5 s after the first failure, +-10 %
        long delay = Duration.between(attempted, next).toMillis();
        assertTrue(delay >= 4_500 && delay <= 5_500, "first retry after " + delay + " ms");
        // what the first attempt recorded, with its error if it never got the receiver's answer
        assertEquals(500, (Integer) first.extract().path("data[0].last_status_code"), () -> "first attempt: " + first.extract().asString());
        first.body("data[0].attempts", equalTo(1));

        clock.advance(Duration.ofSeconds(6));
        await("the second attempt", () -> receiver.at("/flaky").size() == 2);
        ValidatableResponse second = awaitAttempts(e, 2);
        delay = Duration.between(Instant.parse(second.extract().path("data[0].updated_at")),
                Instant.parse(second.extract().path("data[0].next_attempt_at"))).toMillis();
        // the schedule says 5 min +-10 %; Retry-After asks for 10 min, and later wins
        assertEquals(600_000, delay, 1_000);
        assertEquals(1, receiver.at("/flaky").size() - 1); // nothing sent before it is due
        clock.advance(Duration.ofMinutes(5));
        Thread.sleep(1_500);
        assertEquals(2, receiver.at("/flaky").size(), "sent before Retry-After had passed");
        clock.advance(Duration.ofMinutes(6));
        await("the third attempt", () -> receiver.at("/flaky").size() == 3);
        awaitDelivery(e, "succeeded").body("data[0].attempts", equalTo(3)).body("data[0].next_attempt_at", nullValue());
        String id = given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id() + "/deliveries").path("data[0].id");
        given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id() + "/deliveries/" + id).then()
                .body("attempts.status_code", equalTo(List.of(500, 503, 204)))
                .body("attempts[1].response_body", equalTo("busy"));
        // every attempt carried the same webhook-id
        assertEquals(1, receiver.at("/flaky").stream().map(r -> r.header("webhook-id")).distinct().count());
        given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id()).then().body("consecutive_failures", equalTo(0));
    }

    @Test
    void the_schedule_has_seven_retries_with_bounded_jitter() {
        var random = new java.util.Random(7);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        long[] expected = {5, 300, 1_800, 7_200, 18_000, 36_000, 36_000};
        for (int failed = 1; failed <= 7; failed++) {
            for (int i = 0; i < 200; i++) {
                long ms = Duration.between(now, RetrySchedule.next(failed, now, java.util.Optional.empty(), random).orElseThrow()).toMillis();
                assertTrue(Math.abs(ms - expected[failed - 1] * 1000) <= expected[failed - 1] * 100, failed + ": " + ms);
            }
        }
        assertTrue(RetrySchedule.next(8, now, java.util.Optional.empty(), random).isEmpty());
        assertEquals(Duration.ofHours(24), Duration.between(now,
                RetrySchedule.next(1, now, java.util.Optional.of(Duration.ofDays(30)), random).orElseThrow()));
        assertEquals(Duration.ofSeconds(120), RetrySchedule.parseRetryAfter("Thu, 01 Jan 2026 00:02:00 GMT", now).orElseThrow());
        assertTrue(RetrySchedule.parseRetryAfter("soon", now).isEmpty());
    }

    @Test
    void a_410_disables_the_endpoint_at_once_and_tells_its_owner() throws Exception {
        receiver.answer("/gone", n -> Receiver.Answer.of(410));
        Endpoint e = endpoint("/gone", "balance.low");
        String email = "owner-" + e.user() + "@example.com";
        NotificationsTest.publish(new io.tollgate.contracts.identity.UserRegistered(e.user(), TENANT, email, "Owner", "USD", "en",
                Instant.now()), null);
        String unsubscribe = tokens.issue(e.user());
        await("the owner's address to be known", () -> given().get("/v1/unsubscribe?token=" + unsubscribe).statusCode() == 200);
        NotificationsTest.publish(new BalanceLow(userOf(e), TENANT, "USD", 10, 100, Instant.now()), null);
        await("the endpoint to be disabled", () -> !given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id())
                .<Boolean>path("active"));
        given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id()).then().body("disabled_reason", equalTo("gone"))
                .body("last_status_code", equalTo(410));
        awaitDelivery(e, "failed").body("data[0].attempts", equalTo(1));
        given().auth().oauth2(e.token()).get("/v1/notifications").then()
                .body("data.title", hasItem("Webhook endpoint disabled")).body("data.action_url", hasItem("/v1/webhooks/" + e.id()));
        // and by mail, through the endpoint_disabled event
        await("the owner's mail", () -> SmtpSandbox.mail().messagesTo(email).stream()
                .anyMatch(m -> m.subject().equals("We stopped sending to your webhook endpoint")));
        String delivery = given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id() + "/deliveries").path("data[0].id");
        given().auth().oauth2(e.token()).post("/v1/webhooks/" + e.id() + "/deliveries/" + delivery + "/redeliver").then()
                .statusCode(409).contentType("application/problem+json").body("code", equalTo("ENDPOINT_DISABLED"));
        // nothing more is sent to it
        NotificationsTest.publish(new BalanceLow(userOf(e), TENANT, "USD", 9, 100, Instant.now()), null);
        Thread.sleep(1_500);
        assertEquals(1, receiver.at("/gone").size());
        // the owner re-enables it; a redelivery then goes out
        receiver.answer("/gone", n -> Receiver.Answer.of(200));
        given().auth().oauth2(e.token()).contentType(ContentType.JSON).body(Map.of("active", true))
                .patch("/v1/webhooks/" + e.id()).then().statusCode(200).body("active", equalTo(true))
                .body("disabled_reason", nullValue()).body("consecutive_failures", equalTo(0));
        given().auth().oauth2(e.token()).post("/v1/webhooks/" + e.id() + "/deliveries/" + delivery + "/redeliver").then().statusCode(202);
        await("the redelivery", () -> receiver.at("/gone").size() == 2);
    }

    @Test
    void an_endpoint_failing_for_five_days_is_disabled() {
        receiver.answer("/down", n -> Receiver.Answer.of(500));
        Endpoint e = endpoint("/down", "balance.low");
        given().auth().oauth2(e.token()).contentType(ContentType.JSON).body(Map.of()).post("/v1/webhooks/" + e.id() + "/test")
                .then().statusCode(200).body("success", equalTo(false)).body("status_code", equalTo(500));
        given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id()).then().body("active", equalTo(true))
                .body("consecutive_failures", equalTo(1)).body("failing_since", not(nullValue()));
        clock.advance(Duration.ofDays(4));
        given().auth().oauth2(e.token()).contentType(ContentType.JSON).body(Map.of()).post("/v1/webhooks/" + e.id() + "/test");
        given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id()).then().body("active", equalTo(true))
                .body("consecutive_failures", equalTo(2));
        clock.advance(Duration.ofDays(1));
        given().auth().oauth2(e.token()).contentType(ContentType.JSON).body(Map.of()).post("/v1/webhooks/" + e.id() + "/test");
        given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id()).then().body("active", equalTo(false))
                .body("disabled_reason", equalTo("failing")).body("consecutive_failures", equalTo(3));
    }

    @Test
    void private_addresses_are_refused_at_create_and_at_every_attempt() {
        UrlGuard strict = new UrlGuard(false, java.util.Optional.empty());
        List<String> corpus = List.of("https://127.0.0.1/x", "https://127.1.2.3/", "https://localhost/", "https://[::1]/",
                "https://0.0.0.0/", "https://10.0.0.8/", "https://172.16.5.4/", "https://192.168.1.1/", "https://100.64.0.1/",
                "https://169.254.169.254/latest/meta-data/", "https://[fd00:ec2::254]/", "https://[fe80::1]/",
                "https://[::ffff:127.0.0.1]/", "https://[::ffff:10.0.0.1]/", "https://[::ffff:a9fe:a9fe]/", "https://[64:ff9b::a9fe:a9fe]/",
                "https://[::]/", "https://224.0.0.1/", "https://255.255.255.255/", "https://198.18.0.1/", "https://[2002:7f00:1::]/",
                "https://[2001:db8::1]/", "https://no-such-host.invalid/", "http://93.184.215.14/", "ftp://93.184.215.14/",
                "https://user:pass@93.184.215.14/", "https:///nohost", "not a url", "https://93.184.215.14/#frag",
                "https://" + "a".repeat(2050) + ".com/");
        for (String url : corpus) {
            var e = assertThrows(io.tollgate.kit.problem.ProblemException.class, () -> strict.check(url), url);
            assertEquals(400, e.status(), url);
        }
        assertEquals("93.184.215.14", strict.check("https://93.184.215.14/hook").address().getHostAddress());

        // through the API: what the test deployment does not allow-list is refused with a problem document
        String token = TestTokens.user(UUID.randomUUID(), TENANT).sign();
        for (String url : List.of("http://10.1.2.3/h", "http://169.254.169.254/", "http://[fd00::1]/", "http://[::ffff:192.168.0.1]/",
                "http://100.100.100.200/", "gopher://127.0.0.1/", "http://no-such-host.invalid/")) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("url", url, "events", List.of("balance.low")))
                    .post("/v1/webhooks").then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("WEBHOOK_URL_REFUSED")).body("errors[0].field", equalTo("url"));
        }
        given().auth().oauth2(token).get("/v1/webhooks").then().body("meta.total", equalTo(0));

        // a name that resolved to a public address at create time and to a private one later is refused at the attempt
        Map<String, String> dns = new HashMap<>(Map.of("partner.example", "127.0.0.1"));
        guard.resolver(host -> new InetAddress[] {InetAddress.getByName(dns.getOrDefault(host, host))});
        String url = "http://partner.example:" + receiver.port() + "/named";
        String id = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("url", url, "events", List.of("balance.low")))
                .post("/v1/webhooks").then().statusCode(201).extract().path("id");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of()).post("/v1/webhooks/" + id + "/test").then()
                .body("success", equalTo(true));
        // the checked address was connected to, the name went in the Host header
        assertEquals("partner.example:" + receiver.port(), receiver.at("/named").getFirst().header("host"));
        dns.put("partner.example", "10.20.30.40");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of()).post("/v1/webhooks/" + id + "/test").then()
                .body("success", equalTo(false)).body("status_code", nullValue()).body("error", startsWith("refused"));
        assertEquals(1, receiver.at("/named").size());

        // redirects are not followed
        receiver.answer("/moved", n -> new Receiver.Answer(302, Map.of("Location", receiver.url("/elsewhere")), ""));
        guard.resolver(InetAddress::getAllByName);
        String moved = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("url", receiver.url("/moved"), "events", List.of("balance.low"))).post("/v1/webhooks").path("id");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of()).post("/v1/webhooks/" + moved + "/test").then()
                .body("success", equalTo(false)).body("status_code", equalTo(302));
        assertTrue(receiver.at("/elsewhere").isEmpty());
    }

    @Test
    void another_users_endpoint_does_not_exist_for_the_caller() {
        Endpoint mine = endpoint("/mine", "balance.low");
        String stranger = TestTokens.user(UUID.randomUUID(), TENANT).sign();
        String otherTenant = TestTokens.user(UUID.randomUUID(), UUID.randomUUID()).sign();
        for (String token : List.of(stranger, otherTenant)) {
            given().auth().oauth2(token).get("/v1/webhooks/" + mine.id()).then().statusCode(404).contentType("application/problem+json");
            given().auth().oauth2(token).get("/v1/webhooks/" + mine.id() + "/deliveries").then().statusCode(404);
            given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("active", false)).patch("/v1/webhooks/" + mine.id())
                    .then().statusCode(404);
            given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of()).post("/v1/webhooks/" + mine.id() + "/test")
                    .then().statusCode(404);
            given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of())
                    .post("/v1/webhooks/" + mine.id() + "/rotate-secret").then().statusCode(404);
            given().auth().oauth2(token).delete("/v1/webhooks/" + mine.id()).then().statusCode(404);
            given().auth().oauth2(token).get("/v1/webhooks").then().body("meta.total", equalTo(0));
        }
        assertTrue(receiver.at("/mine").isEmpty());
        given().auth().oauth2(mine.token()).get("/v1/webhooks").then().body("meta.total", equalTo(1))
                .body("data[0].id", equalTo(mine.id())).body("data[0]", not(org.hamcrest.Matchers.hasKey("secret")));

        // a tenant endpoint is the tenant administrators' business
        UUID tenant = UUID.randomUUID();
        String admin = TestTokens.user(UUID.randomUUID(), tenant).roles("customer", "tenant_admin").sign();
        String member = TestTokens.user(UUID.randomUUID(), tenant).sign();
        Map<String, Object> body = Map.of("url", receiver.url("/tenant"), "events", List.of("job.completed"), "scope", "tenant");
        given().auth().oauth2(member).contentType(ContentType.JSON).body(body).post("/v1/webhooks").then().statusCode(403);
        String tenantHook = given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/v1/webhooks").then()
                .statusCode(201).body("scope", equalTo("tenant")).extract().path("id");
        given().auth().oauth2(member).get("/v1/webhooks/" + tenantHook).then().statusCode(404);

        // API keys need the webhooks scopes
        UUID user = UUID.randomUUID();
        String reader = TestTokens.user(user, TENANT).apiKey(UUID.randomUUID(), "webhooks:read").sign();
        given().auth().oauth2(reader).get("/v1/webhooks").then().statusCode(200);
        given().auth().oauth2(reader).contentType(ContentType.JSON).body(Map.of("url", receiver.url("/k"), "events", List.of("balance.low")))
                .post("/v1/webhooks").then().statusCode(403).body("code", equalTo("INSUFFICIENT_SCOPE"));
        given().get("/v1/webhooks").then().statusCode(401);
        given().auth().oauth2(mine.token()).delete("/v1/webhooks/" + mine.id()).then().statusCode(204);
        given().auth().oauth2(mine.token()).get("/v1/webhooks/" + mine.id()).then().statusCode(404);
    }

    @Test
    void bad_input_is_a_problem_and_changes_nothing() {
        String token = TestTokens.user(UUID.randomUUID(), TENANT).sign();
        String url = receiver.url("/v");
        List<Map<String, Object>> bad = List.of(
                Map.of("url", url, "events", List.of()),
                Map.of("url", url, "events", List.of("no.such.event")),
                Map.of("url", url, "events", List.of("balance.low"), "description", "d".repeat(501)),
                Map.of("url", url, "events", List.of("balance.low"), "scope", "planet"),
                Map.of("events", List.of("balance.low")));
        for (Map<String, Object> body : bad) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post("/v1/webhooks").then().statusCode(400)
                    .contentType("application/problem+json").body("errors[0].field", not(nullValue()));
        }
        given().auth().oauth2(token).get("/v1/webhooks").then().body("meta.total", equalTo(0));
        given().auth().oauth2(token).get("/v1/webhooks/event-types").then().statusCode(200)
                .body("data.type", hasItem("payment.succeeded")).body("data.type", hasItem("job.completed"));
        for (int i = 0; i < WebhookService.MAX_ENDPOINTS; i++) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("url", url, "events", List.of("balance.low")))
                    .post("/v1/webhooks").then().statusCode(201);
        }
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("url", url, "events", List.of("balance.low")))
                .post("/v1/webhooks").then().statusCode(422).body("code", equalTo("WEBHOOK_LIMIT_REACHED"));
        String id = given().auth().oauth2(token).get("/v1/webhooks").path("data[0].id");
        given().auth().oauth2(token).get("/v1/webhooks/" + id + "/deliveries?status=lost").then().statusCode(400);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("url", "http://10.0.0.1/"))
                .patch("/v1/webhooks/" + id).then().statusCode(400);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("event_type", "nope"))
                .post("/v1/webhooks/" + id + "/test").then().statusCode(400);
        given().auth().oauth2(token).get("/v1/webhooks/" + id).then().body("url", equalTo(url));
    }

    @Test
    void a_worker_killed_mid_batch_loses_nothing() throws Exception {
        receiver.answer("/batch", n -> n <= 10 ? new Receiver.Answer(503, Map.of("Retry-After", "3600"), "") : Receiver.Answer.of(200));
        Endpoint e = endpoint("/batch", "balance.low");
        UUID user = userOf(e);
        for (int i = 0; i < 10; i++) {
            NotificationsTest.publish(new BalanceLow(user, TENANT, "USD", i, 100, Instant.now()), null);
        }
        await("ten failed first attempts", () -> given().auth().oauth2(e.token())
                .get("/v1/webhooks/" + e.id() + "/deliveries?status=retrying").<Integer>path("meta.total") == 10);
        // a worker claims the batch when it falls due, then dies before sending any of it
        // (the shared database may hold other tests' deliveries due by then: only this endpoint's count here)
        Set<UUID> ours = new HashSet<>();
        given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id() + "/deliveries").<List<String>>path("data.id")
                .forEach(id -> ours.add(UUID.fromString(id)));
        List<DeliveryWorker.Claimed> orphaned = worker.claim(200, Instant.now().plusSeconds(3_700)).stream()
                .filter(c -> ours.contains(c.id())).toList();
        Set<UUID> mine = new HashSet<>();
        orphaned.forEach(c -> mine.add(c.id()));
        assertEquals(10, mine.size(), "the dead worker's claim");
        // the live worker leaves them alone while the lease holds
        clock.advance(Duration.ofSeconds(3_730));
        Thread.sleep(1_500);
        assertEquals(10, receiver.at("/batch").size());
        // the lease runs out: every one is sent again and recorded once
        clock.advance(Duration.ofSeconds(40));
        await("ten redeliveries", () -> given().auth().oauth2(e.token())
                .get("/v1/webhooks/" + e.id() + "/deliveries?status=succeeded").<Integer>path("meta.total") == 10);
        given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id() + "/deliveries").then()
                .body("data.attempts", equalTo(java.util.Collections.nCopies(10, 2)));
        List<String> ok = receiver.at("/batch").stream().skip(10).map(r -> r.header("webhook-id")).toList();
        assertEquals(10, ok.size());
        assertEquals(10, new HashSet<>(ok).size());
        // the dead worker's late write (had it woken up) changes nothing: its lease is gone
        var outcome = new WebhookSender.Outcome(500, "", 1, null, null);
        assertFalse(worker == null);
        assertTrue(orphaned.stream().allMatch(c -> recordLate(c, outcome)));
        given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id() + "/deliveries?status=succeeded").then()
                .body("meta.total", equalTo(10));
    }

    @Inject
    DeliveryLog log;

    private boolean recordLate(DeliveryWorker.Claimed c, WebhookSender.Outcome outcome) {
        return log.record(c.id(), c.leaseId(), c.attempts() + 1, true, outcome, Instant.now()).isEmpty();
    }

    private ValidatableResponse awaitDelivery(Endpoint e, String status) throws InterruptedException {
        await("a " + status + " delivery", () -> status.equals(given().auth().oauth2(e.token())
                .get("/v1/webhooks/" + e.id() + "/deliveries").path("data[0].status")));
        return given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id() + "/deliveries").then();
    }

    private ValidatableResponse awaitAttempts(Endpoint e, int attempts) throws InterruptedException {
        await(attempts + " attempts", () -> Integer.valueOf(attempts).equals(given().auth().oauth2(e.token())
                .get("/v1/webhooks/" + e.id() + "/deliveries").path("data[0].attempts")));
        return given().auth().oauth2(e.token()).get("/v1/webhooks/" + e.id() + "/deliveries").then();
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " did not happen");
            Thread.sleep(100);
        }
    }
}
