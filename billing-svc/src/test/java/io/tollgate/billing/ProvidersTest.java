package io.tollgate.billing;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.tollgate.sandbox.CoinGateSandbox;
import io.tollgate.sandbox.YooKassaSandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** YooKassa- and CoinGate-style top-ups against their stand-ins, each speaking its own protocol. */
@QuarkusTest
@QuarkusTestResource(Sandbox.class)
class ProvidersTest {

    @BeforeEach
    void pointTheProvidersAtUs() {
        Sandbox.running.yookassa().notifyUrl("http://127.0.0.1:" + RestAssured.port + "/v1/billing/webhooks/yookassa");
        Sandbox.running.coingate().callbackOverride("http://127.0.0.1:" + RestAssured.port + "/v1/billing/webhooks/coingate");
    }

    @Test
    void a_yookassa_payment_is_credited_once_after_it_is_fetched_back() throws Exception {
        Money.User user = Money.user(0);
        Response started = topUp(user, "{\"amount_minor\": 60000, \"provider\": \"yookassa\"}");
        started.then().statusCode(201).body("provider", equalTo("yookassa")).body("currency", equalTo("RUB"))
                .body("redirect_url", startsWith(Sandbox.running.baseUrl() + "/yookassa/checkout/"));
        String id = started.path("provider_payment_id");
        assertEquals(60_000, Sandbox.running.yookassa().payment(id).amountMinor());

        // a notification that lies about the status changes nothing: the payment is read back, still pending
        YooKassaSandbox.Payment pending = Sandbox.running.yookassa().payment(id);
        assertEquals(200, notifyAs(new YooKassaSandbox.Payment(id, 60_000, "RUB", pending.paymentId(), "succeeded", null), true));
        assertEquals(0, Money.available(user, "RUB"));

        assertEquals(200, Sandbox.running.yookassa().complete(id, true));
        assertEquals(60_000, Money.available(user, "RUB"));
        // the same notification 20 times at once: credited once
        List<Callable<Integer>> again = java.util.Collections.nCopies(20, () -> Sandbox.running.yookassa().notify(Sandbox.running.yookassa().payment(id)));
        try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
            for (var f : pool.invokeAll(again)) {
                assertEquals(200, f.get());
            }
        }
        assertEquals(60_000, Money.available(user, "RUB"));
        given().auth().oauth2(user.token()).get("/v1/billing/payments/" + started.path("payment_id")).then()
                .body("status", equalTo("succeeded")).body("provider", equalTo("yookassa"));
        given().contentType("application/json").body("{\"type\":\"notification\",\"event\":\"payment.succeeded\",\"object\":{\"id\":\"" + id + "\"}}")
                .post("/v1/billing/webhooks/yookassa").then().statusCode(200).body("ok", equalTo(true)).body("deduped", equalTo(true));
    }

    @Test
    void a_yookassa_notification_for_a_payment_yookassa_does_not_know_is_200_and_names_no_internal_path() {
        String body = given().contentType("application/json")
                .body("{\"type\":\"notification\",\"event\":\"payment.succeeded\",\"object\":{\"id\":\"2f0000-forged\"}}")
                .post("/v1/billing/webhooks/yookassa").then().statusCode(200).body("ok", equalTo(false))
                .body("processed", equalTo(false)).body("reason", equalTo("unknown_payment")).extract().asString();
        assertFalse(body.contains("/v3/") || body.contains("yookassa/"), body);
    }

    @Test
    void yookassa_notifications_are_taken_only_from_its_addresses_and_a_cancel_credits_nothing() throws Exception {
        Money.User user = Money.user(0);
        String id = topUp(user, "{\"amount_minor\": 50000, \"currency\": \"RUB\", \"provider\": \"yookassa\"}").then().statusCode(201)
                .extract().path("provider_payment_id");
        // through a trusted proxy, from an address that is not YooKassa's
        given().header("X-Forwarded-For", "203.0.113.9").contentType("application/json")
                .body("{\"type\":\"notification\",\"event\":\"payment.succeeded\",\"object\":{\"id\":\"" + id + "\"}}")
                .post("/v1/billing/webhooks/yookassa").then().statusCode(403).contentType("application/problem+json")
                .body("code", equalTo("UNTRUSTED_SOURCE"));
        assertEquals(200, Sandbox.running.yookassa().complete(id, false));
        await(() -> "failed".equals(given().auth().oauth2(user.token()).get("/v1/billing/payments").path("data[0].status")));
        given().auth().oauth2(user.token()).get("/v1/billing/payments").then().body("data[0].failure_reason", equalTo("card_expired"));
        assertEquals(0, Money.available(user, "RUB"));
        // YooKassa's own rules
        topUp(user, "{\"amount_minor\": 1000, \"currency\": \"USD\", \"provider\": \"yookassa\"}").then().statusCode(400)
                .body("errors[0].field", equalTo("currency"));
        topUp(user, "{\"amount_minor\": 49999, \"provider\": \"yookassa\"}").then().statusCode(400)
                .body("errors[0].field", equalTo("amount_minor"));
        given().contentType("application/json").body("not json").post("/v1/billing/webhooks/yookassa").then().statusCode(200)
                .body("ok", equalTo(false)).body("reason", equalTo("invalid_payload"));
    }

    @Test
    void a_coingate_order_is_credited_on_its_paid_callback_and_a_forged_one_is_refused() throws Exception {
        Money.User user = Money.user(0);
        Response started = topUp(user, "{\"amount_minor\": 2500, \"currency\": \"USD\", \"provider\": \"coingate\"}");
        started.then().statusCode(201).body("provider", equalTo("coingate"))
                .body("redirect_url", startsWith(Sandbox.running.baseUrl() + "/coingate/checkout/"));
        long order = Long.parseLong(started.path("provider_payment_id"));
        CoinGateSandbox.Order o = Sandbox.running.coingate().order(order);
        assertEquals("topup_" + started.path("payment_id"), o.orderId());
        // a callback with another token is not CoinGate's
        CoinGateSandbox.Order paid = new CoinGateSandbox.Order(o.id(), o.orderId(), o.amountMinor(), o.currency(), "paid", o.callbackUrl(), o.token());
        assertEquals(403, Sandbox.running.coingate().callback(paid, "forged-token"));
        // a callback with the right token that claims paid before it is: read back, still new
        assertEquals(200, Sandbox.running.coingate().callback(paid, o.token()));
        assertEquals(0, Money.available(user));
        assertEquals(200, Sandbox.running.coingate().complete(order, true));
        assertEquals(2_500, Money.available(user));
        assertEquals(200, Sandbox.running.coingate().complete(order, true)); // sent again
        assertEquals(2_500, Money.available(user));
        given().auth().oauth2(user.token()).get("/v1/billing/invoices").then().body("data[0].payment_method", equalTo("coingate"));
        topUp(user, "{\"amount_minor\": 999, \"currency\": \"USD\", \"provider\": \"coingate\"}").then().statusCode(400);
        topUp(user, "{\"amount_minor\": 2000, \"currency\": \"RUB\", \"provider\": \"coingate\"}").then().statusCode(400);
        topUp(user, "{\"amount_minor\": 2000, \"provider\": \"coingate\", \"save_payment_method\": true}").then().statusCode(400);
    }

    private static int notifyAs(YooKassaSandbox.Payment claimed, boolean ignored) throws Exception {
        return Sandbox.running.yookassa().notify(claimed);
    }

    private static Response topUp(Money.User user, String body) {
        return given().auth().oauth2(user.token()).contentType("application/json").body(body).post("/v1/billing/top-ups");
    }

    static void await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "did not happen in 30 s");
            Thread.sleep(100);
        }
    }
}
