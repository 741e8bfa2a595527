package io.tollgate.billing;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.billing.InvoiceIssued;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Port auto-renewal charged from the balance for proxy-svc: priced by the slot month, charged once per key and period. */
@QuarkusTest
class PortRenewalTest {

    static final String PROXY = TestTokens.service("proxy").sign();

    static String body(Money.User user, UUID port, int days, boolean isPrivate, Instant periodEndsAt) {
        return "{\"user_id\": \"" + user.id() + "\", \"tenant_id\": \"" + Money.TENANT + "\", \"port_id\": \"" + port
                + "\", \"port_name\": \"tg_abc123_def456\", \"days\": " + days + ", \"is_private\": " + isPrivate
                + ", \"period_ends_at\": \"" + periodEndsAt + "\"}";
    }

    static Response charge(String token, String key, String body) {
        var request = given().auth().oauth2(token).contentType("application/json").body(body);
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.post("/internal/port-renewals");
    }

    static Instant period() {
        return Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    }

    static int renewalLines(Money.User user) {
        List<String> types = given().auth().oauth2(user.token()).get("/v1/billing/transactions?page_size=100").then().statusCode(200)
                .extract().jsonPath().getList("data.reference_type");
        return (int) types.stream().filter("port_renewal"::equals).count();
    }

    @Test
    void a_renewal_is_charged_as_the_slot_month_pro_rata_with_a_transaction_line_and_an_invoice() throws Exception {
        Money.User user = Money.user(1_000);
        UUID port = UUID.randomUUID();
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            // a shared slot is 300 a month: 30 days are 300
            Response charged = charge(PROXY, "renewal:" + port + ":1", body(user, port, 30, false, period()));
            charged.then().statusCode(201).body("total_minor", equalTo(300)).body("slot_month_minor", equalTo(300))
                    .body("days", equalTo(30)).body("balance_after_minor", equalTo(700)).body("currency", equalTo("USD"))
                    .body("port_id", equalTo(port.toString()));
            assertEquals(700, Money.available(user));
            given().auth().oauth2(user.token()).get("/v1/billing/transactions").then().statusCode(200)
                    .body("data[0].type", equalTo("purchase")).body("data[0].amount_minor", equalTo(-300))
                    .body("data[0].reference_type", equalTo("port_renewal")).body("data[0].reference_id", equalTo(charged.path("id")))
                    .body("data[0].description", equalTo("Auto-renewal of shared port tg_abc123_def456, 30 day(s)"));
            String invoice = charged.path("invoice_id");
            given().auth().oauth2(user.token()).get("/v1/billing/invoices/" + invoice).then().statusCode(200)
                    .body("total_minor", equalTo(300)).body("payment_method", equalTo("balance"))
                    .body("items[0].type", equalTo("port_renewal"));
            var issued = probe.first(r -> InvoiceIssued.TYPE.equals(KafkaProbe.header(r, "ce_type")) && invoice.equals(r.key()),
                    Duration.ofSeconds(20));
            EventSchemas.assertValid(InvoiceIssued.TYPE, issued.value());
        }
        // a private slot is 600 a month: 7 days are 140, and a day is never free (600 / 30 = 20)
        charge(PROXY, "renewal:" + UUID.randomUUID(), body(user, UUID.randomUUID(), 7, true, period())).then().statusCode(201)
                .body("total_minor", equalTo(140));
        charge(PROXY, "renewal:" + UUID.randomUUID(), body(user, UUID.randomUUID(), 1, false, period())).then().statusCode(201)
                .body("total_minor", equalTo(10));
        assertEquals(550, Money.available(user));
    }

    @Test
    void a_replay_with_the_same_key_answers_the_same_body_and_charges_once() {
        Money.User user = Money.user(1_000);
        UUID port = UUID.randomUUID();
        Instant period = period();
        String key = "renewal:" + port + ":" + period.getEpochSecond();
        Response first = charge(PROXY, key, body(user, port, 30, false, period));
        first.then().statusCode(201);
        Response again = charge(PROXY, key, body(user, port, 30, false, period));
        again.then().statusCode(201).header("Idempotent-Replayed", "true");
        assertEquals(first.asString(), again.asString());
        // the same period under another key (its answer long gone) is still not charged twice
        charge(PROXY, "another-" + key, body(user, port, 30, false, period)).then().statusCode(201)
                .body("id", equalTo(first.path("id"))).body("transaction_id", equalTo(first.path("transaction_id")));
        assertEquals(700, Money.available(user));
        assertEquals(1, renewalLines(user));
        // the same key with another request is refused
        charge(PROXY, key, body(user, port, 31, false, period)).then().statusCode(422).body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));
        assertEquals(700, Money.available(user));
    }

    @Test
    void a_balance_that_cannot_pay_is_402_and_changes_nothing_then_the_same_key_charges_after_a_top_up() {
        Money.User user = Money.user(100);
        UUID port = UUID.randomUUID();
        Instant period = period();
        String key = "renewal:" + port + ":" + period.getEpochSecond();
        charge(PROXY, key, body(user, port, 30, false, period)).then().statusCode(402).contentType("application/problem+json")
                .body("code", equalTo("INSUFFICIENT_BALANCE")).body("required", equalTo(300)).body("available", equalTo(100));
        assertEquals(100, Money.available(user));
        assertEquals(0, renewalLines(user));
        // the refusal kept nothing: once the balance covers it, the same period is charged
        Money.grant(user.id(), 500).then().statusCode(201);
        charge(PROXY, key, body(user, port, 30, false, period)).then().statusCode(201).body("balance_after_minor", equalTo(300));
        assertEquals(1, renewalLines(user));
    }

    @Test
    void twins_racing_with_one_key_charge_once() throws Exception {
        Money.User user = Money.user(10_000);
        UUID port = UUID.randomUUID();
        Instant period = period();
        String key = "renewal:" + port + ":" + period.getEpochSecond();
        String body = body(user, port, 30, false, period);
        int twins = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(twins);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < twins; i++) {
                Callable<Integer> call = () -> {
                    start.await();
                    return charge(PROXY, key, body).statusCode();
                };
                answers.add(pool.submit(call));
            }
            start.countDown();
            for (Future<Integer> answer : answers) {
                int status = answer.get();
                assertTrue(status == 201 || status == 409, "a twin answered " + status);
            }
        } finally {
            pool.shutdownNow();
        }
        charge(PROXY, key, body).then().statusCode(201).header("Idempotent-Replayed", "true");
        assertEquals(9_700, Money.available(user));
        assertEquals(1, renewalLines(user));
    }

    @Test
    void only_proxy_may_charge_and_bad_requests_change_nothing() {
        Money.User user = Money.user(1_000);
        UUID port = UUID.randomUUID();
        String good = body(user, port, 30, false, period());
        charge(Money.RENDER, "k-" + port, good).then().statusCode(403).body("code", equalTo("SERVICE_ONLY"));
        charge(user.token(), "k-" + port, good).then().statusCode(403);
        given().contentType("application/json").body(good).post("/internal/port-renewals").then().statusCode(401);
        charge(PROXY, null, good).then().statusCode(400).contentType("application/problem+json");
        for (int days : new int[] {0, 366}) {
            charge(PROXY, "k-" + days + "-" + port, body(user, port, days, false, period())).then().statusCode(400)
                    .contentType("application/problem+json").body("code", equalTo("VALIDATION_ERROR"));
        }
        charge(PROXY, "k-missing-" + port, "{\"user_id\": \"" + user.id() + "\"}").then().statusCode(400);
        // a user billing does not know in this tenant
        String elsewhere = good.replace(Money.TENANT.toString(), UUID.randomUUID().toString());
        charge(PROXY, "k-tenant-" + port, elsewhere).then().statusCode(404).contentType("application/problem+json");
        assertEquals(1_000, Money.available(user));
        assertEquals(0, renewalLines(user));
    }
}
