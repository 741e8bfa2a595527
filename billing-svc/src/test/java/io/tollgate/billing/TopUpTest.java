package io.tollgate.billing;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.billing.PaymentFailed;
import io.tollgate.contracts.billing.PaymentSucceeded;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@QuarkusTestResource(Sandbox.class)
class TopUpTest {

    @BeforeEach
    void pointTheProviderAtUs() {
        Sandbox.running.webhookUrl("http://127.0.0.1:" + RestAssured.port + "/v1/billing/webhooks/stripe");
    }

    @Test
    void a_briefly_overloaded_provider_is_asked_again_and_the_top_up_goes_through_once() {
        Money.User user = Money.user(0);
        Sandbox.running.overloadNext(2);
        Response started = topUp(user.token(), "{\"amount_minor\": 1500, \"currency\": \"USD\", \"provider\": \"stripe\"}");
        started.then().statusCode(201).body("status", equalTo("pending")).body("provider_payment_id", startsWith("pi_"));
        assertEquals(1500, Sandbox.running.intent(started.path("provider_payment_id")).amount());
        given().auth().oauth2(user.token()).get("/v1/billing/payments").then().statusCode(200).body("meta.total", equalTo(1));
    }

    @Test
    void a_provider_that_stays_overloaded_is_a_502_after_its_retries_and_the_payment_is_failed() {
        Money.User user = Money.user(0);
        Sandbox.running.overloadNext(3);
        try {
            topUp(user.token(), "{\"amount_minor\": 1500, \"currency\": \"USD\", \"provider\": \"stripe\"}").then().statusCode(502)
                    .contentType("application/problem+json").body("code", equalTo("PROVIDER_ERROR"));
        } finally {
            Sandbox.running.overloadNext(0);
        }
        given().auth().oauth2(user.token()).get("/v1/billing/payments").then().statusCode(200).body("meta.total", equalTo(1))
                .body("data[0].status", equalTo("failed"));
        assertEquals(0, Money.available(user));
    }

    @Test
    void a_top_up_is_credited_when_the_provider_confirms_it() throws Exception {
        Money.User user = Money.user(0);
        Response started = topUp(user.token(), "{\"amount_minor\": 2500, \"currency\": \"USD\", \"provider\": \"stripe\"}");
        started.then().statusCode(201).body("status", equalTo("pending")).body("provider", equalTo("stripe"))
                .body("provider_payment_id", startsWith("pi_"))
                .body("redirect_url", equalTo(Sandbox.running.baseUrl() + "/stripe/checkout/" + started.path("provider_payment_id")));
        String paymentId = started.path("payment_id");
        String intent = started.path("provider_payment_id");
        assertEquals(2500, Sandbox.running.intent(intent).amount());
        given().auth().oauth2(user.token()).get("/v1/billing/payments/" + paymentId).then().statusCode(200)
                .body("status", equalTo("pending"));
        assertEquals(0, Money.available(user));

        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            assertEquals(200, Sandbox.running.complete(intent, true));
            var event = probe.first(r -> paymentId.equals(r.key()) && PaymentSucceeded.TYPE.equals(KafkaProbe.header(r, "ce_type")),
                    Duration.ofSeconds(20));
            EventSchemas.assertValid(PaymentSucceeded.TYPE, event.value());
        }
        assertEquals(2500, Money.available(user));
        given().auth().oauth2(user.token()).get("/v1/billing/payments/" + paymentId).then().statusCode(200)
                .body("status", equalTo("succeeded")).body("credited_minor", equalTo(2500));
        given().auth().oauth2(user.token()).get("/v1/billing/transactions").then().statusCode(200)
                .body("data.type", contains("topup")).body("data.reference_id", contains(paymentId));
        given().auth().oauth2(user.token()).get("/v1/billing/payments").then().statusCode(200)
                .body("data.id", contains(paymentId));
    }

    @Test
    void the_same_notification_twenty_times_at_once_credits_once() throws Exception {
        Money.User user = Money.user(0);
        Response started = topUp(user.token(), "{\"amount_minor\": 1000, \"currency\": \"USD\", \"provider\": \"stripe\"}");
        String intent = started.then().statusCode(201).extract().path("provider_payment_id");
        String body = "{\"id\":\"evt_" + UUID.randomUUID() + "\",\"object\":\"event\",\"type\":\"payment_intent.succeeded\","
                + "\"data\":{\"object\":{\"id\":\"" + intent + "\",\"object\":\"payment_intent\",\"amount\":1000,\"currency\":\"usd\"}}}";
        long t = Instant.now().getEpochSecond();
        // signed by openssl, not by our code
        String signature = "t=" + t + ",v1=" + openssl(Sandbox.WEBHOOK_SECRET, t + "." + body);
        List<Callable<Response>> deliveries = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            deliveries.add(() -> given().header("Stripe-Signature", signature).contentType("application/json").body(body)
                    .post("/v1/billing/webhooks/stripe"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(20);
        int processed = 0;
        try {
            for (Future<Response> f : pool.invokeAll(deliveries)) {
                Response r = f.get();
                assertEquals(200, r.statusCode(), r.asString());
                processed += r.jsonPath().getBoolean("processed") ? 1 : 0;
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(1, processed);
        assertEquals(1000, Money.available(user));
    }

    @Test
    void a_bad_signature_is_refused_and_credits_nothing() throws Exception {
        Money.User user = Money.user(0);
        String intent = topUp(user.token(), "{\"amount_minor\": 700, \"provider\": \"stripe\"}").then().statusCode(201)
                .extract().path("provider_payment_id");
        String body = "{\"id\":\"evt_" + UUID.randomUUID() + "\",\"type\":\"payment_intent.succeeded\","
                + "\"data\":{\"object\":{\"id\":\"" + intent + "\",\"amount\":700,\"currency\":\"usd\"}}}";
        long now = Instant.now().getEpochSecond();
        String wrongSecret = "t=" + now + ",v1=" + openssl("whsec_someone_else", now + "." + body);
        String stale = "t=" + (now - 600) + ",v1=" + openssl(Sandbox.WEBHOOK_SECRET, (now - 600) + "." + body);
        String tampered = "t=" + now + ",v1=" + openssl(Sandbox.WEBHOOK_SECRET, now + "." + body.replace("700", "70000"));
        for (String header : List.of(wrongSecret, stale, tampered, "garbage")) {
            given().header("Stripe-Signature", header).contentType("application/json").body(body).post("/v1/billing/webhooks/stripe")
                    .then().statusCode(400).contentType("application/problem+json").body("code", equalTo("INVALID_SIGNATURE"));
        }
        given().contentType("application/json").body(body).post("/v1/billing/webhooks/stripe").then().statusCode(400)
                .body("code", equalTo("INVALID_SIGNATURE"));
        assertEquals(0, Money.available(user));
    }

    @Test
    void a_declined_payment_fails_and_is_announced() throws Exception {
        Money.User user = Money.user(0);
        Response started = topUp(user.token(), "{\"amount_minor\": 900, \"currency\": \"USD\", \"provider\": \"stripe\"}");
        String paymentId = started.path("payment_id");
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            assertEquals(200, Sandbox.running.complete(started.path("provider_payment_id"), false));
            var event = probe.first(r -> paymentId.equals(r.key()) && PaymentFailed.TYPE.equals(KafkaProbe.header(r, "ce_type")),
                    Duration.ofSeconds(20));
            EventSchemas.assertValid(PaymentFailed.TYPE, event.value());
        }
        given().auth().oauth2(user.token()).get("/v1/billing/payments/" + paymentId).then().statusCode(200)
                .body("status", equalTo("failed")).body("failure_reason", equalTo("Your card was declined."));
        assertEquals(0, Money.available(user));
    }

    @Test
    void bad_top_ups_are_problems_and_change_nothing() {
        Money.User user = Money.user(0);
        topUp(user.token(), "{\"amount_minor\": 10, \"provider\": \"stripe\"}").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("amount_minor"));
        topUp(user.token(), "{\"amount_minor\": 1000, \"provider\": \"paypal\"}").then().statusCode(400)
                .body("errors[0].field", equalTo("provider"));
        topUp(user.token(), "{\"amount_minor\": 1000, \"currency\": \"XYZ\", \"provider\": \"stripe\"}").then().statusCode(400)
                .body("errors[0].field", equalTo("currency"));
        topUp(user.token(), "{\"amount_minor\": 1000, \"currency\": \"USD\", \"provider\": \"yookassa\"}").then().statusCode(400)
                .body("errors[0].field", equalTo("currency"));
        String key = TestTokens.user(user.id(), Money.TENANT).apiKey(UUID.randomUUID(), "billing:write").sign();
        topUp(key, "{\"amount_minor\": 1000, \"provider\": \"stripe\"}").then().statusCode(403).body("code", equalTo("JWT_ONLY"));
        String unverified = TestTokens.user(user.id(), Money.TENANT).emailVerified(false).sign();
        topUp(unverified, "{\"amount_minor\": 1000, \"provider\": \"stripe\"}").then().statusCode(403)
                .body("code", equalTo("EMAIL_UNVERIFIED"));
        given().auth().oauth2(user.token()).get("/v1/billing/payments").then().statusCode(200).body("meta.total", equalTo(0));
        Money.User other = Money.user(0);
        String theirs = topUp(other.token(), "{\"amount_minor\": 1000, \"provider\": \"stripe\"}").path("payment_id");
        given().auth().oauth2(user.token()).get("/v1/billing/payments/" + theirs).then().statusCode(404);
    }

    private static Response topUp(String token, String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/v1/billing/top-ups");
    }

    /** HMAC-SHA256 by the openssl command line: an implementation independent of ours. */
    static String openssl(String secret, String payload) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("openssl", "dgst", "-sha256", "-hmac", secret).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(payload.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        process.waitFor();
        return out.substring(out.lastIndexOf(' ') + 1);
    }
}
