package io.tollgate.billing;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@QuarkusTestResource(Sandbox.class)
class PromoTest {

    @BeforeEach
    void pointTheProviderAtUs() {
        Sandbox.running.webhookUrl("http://127.0.0.1:" + RestAssured.port + "/v1/billing/webhooks/stripe");
    }

    @Test
    void a_code_adds_its_bonus_once_per_user_when_the_payment_succeeds() throws Exception {
        String code = "WELCOME" + suffix();
        String promoId = create("{\"code\": \"" + code.toLowerCase() + "\", \"kind\": \"percentage\", \"value\": 50, "
                + "\"max_redemptions\": 10}").then().statusCode(201).body("code", equalTo(code)).extract().path("id");
        create("{\"code\": \"" + code + "\", \"kind\": \"fixed\", \"value\": 5}").then().statusCode(409)
                .body("code", equalTo("PROMO_CODE_TAKEN"));

        Money.User user = Money.user(0);
        given().auth().oauth2(user.token()).contentType("application/json")
                .body("{\"code\": \" " + code.toLowerCase() + " \", \"amount_minor\": 2000}").post("/v1/billing/promo-codes/preview")
                .then().statusCode(200).body("valid", equalTo(true)).body("bonus_minor", equalTo(1000))
                .body("final_credit_minor", equalTo(3000));
        given().auth().oauth2(Money.ADMIN).get("/v1/admin/billing/promo-codes").then().statusCode(200);
        assertEquals(0, redeemed(promoId), "a preview reserves nothing");

        Response started = topUp(user, 2000, code);
        started.then().statusCode(201).body("promo_code", equalTo(code)).body("promo_bonus_minor", equalTo(1000));
        assertEquals(1, redeemed(promoId));
        topUp(user, 2000, code).then().statusCode(409).body("code", equalTo("PROMO_ALREADY_USED"));
        assertEquals(200, Sandbox.running.complete(started.path("provider_payment_id"), true));
        assertEquals(3000, Money.available(user));
        given().auth().oauth2(user.token()).get("/v1/billing/transactions").then()
                .body("data.type", contains("promo_bonus", "topup")).body("data.amount_minor", contains(1000, 2000));
        given().auth().oauth2(user.token()).get("/v1/billing/payments/" + started.path("payment_id")).then()
                .body("credited_minor", equalTo(3000));
        given().auth().oauth2(Money.ADMIN).get("/v1/admin/billing/promo-codes/" + promoId + "/redemptions").then()
                .statusCode(200).body("data.status", contains("applied")).body("data.bonus_minor", contains(1000));
    }

    @Test
    void a_declined_payment_gives_its_redemption_back() throws Exception {
        String code = "ONCE" + suffix();
        String promoId = create("{\"code\": \"" + code + "\", \"kind\": \"fixed\", \"value\": 300, \"max_redemptions\": 1}")
                .then().statusCode(201).extract().path("id");
        Money.User user = Money.user(0);
        Response first = topUp(user, 1000, code);
        first.then().statusCode(201);
        topUp(Money.user(0), 1000, code).then().statusCode(409).body("code", equalTo("PROMO_LIMIT_REACHED"));
        assertEquals(200, Sandbox.running.complete(first.path("provider_payment_id"), false));
        assertEquals(0, redeemed(promoId));
        Response again = topUp(user, 1000, code);
        again.then().statusCode(201).body("promo_bonus_minor", equalTo(300));
        assertEquals(200, Sandbox.running.complete(again.path("provider_payment_id"), true));
        assertEquals(1300, Money.available(user));
    }

    @Test
    void concurrent_top_ups_take_no_more_than_the_codes_limit() throws Exception {
        String code = "RACE" + suffix();
        String promoId = create("{\"code\": \"" + code + "\", \"kind\": \"bonus_credits\", \"value\": 100, \"max_redemptions\": 5}")
                .then().statusCode(201).extract().path("id");
        List<Money.User> users = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            users.add(Money.user(0));
        }
        ExecutorService pool = Executors.newFixedThreadPool(12);
        int started = 0;
        int refused = 0;
        try {
            List<Callable<Response>> calls = new ArrayList<>();
            users.forEach(u -> calls.add(() -> topUp(u, 1000, code)));
            for (Future<Response> f : pool.invokeAll(calls)) {
                Response r = f.get();
                if (r.statusCode() == 201) {
                    started++;
                } else {
                    assertEquals(409, r.statusCode(), r.asString());
                    assertEquals("PROMO_LIMIT_REACHED", r.path("code"));
                    refused++;
                }
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(5, started);
        assertEquals(7, refused);
        assertEquals(5, redeemed(promoId));
    }

    @Test
    void codes_that_do_not_apply_are_refused_with_their_reason_and_change_nothing() {
        Money.User user = Money.user(0);
        preview(user, "NOSUCH" + suffix(), 1000).then().statusCode(404).body("code", equalTo("PROMO_NOT_FOUND"));
        String expired = "OLD" + suffix();
        create("{\"code\": \"" + expired + "\", \"kind\": \"fixed\", \"value\": 5, \"valid_from\": \"2020-01-01T00:00:00Z\", "
                + "\"valid_until\": \"2021-01-01T00:00:00Z\"}").then().statusCode(201);
        preview(user, expired, 1000).then().statusCode(422).body("code", equalTo("PROMO_EXPIRED"));
        String ranged = "RANGE" + suffix();
        create("{\"code\": \"" + ranged + "\", \"kind\": \"fixed\", \"value\": 5, \"min_amount_minor\": 5000}").then().statusCode(201);
        preview(user, ranged, 1000).then().statusCode(422).body("code", equalTo("PROMO_AMOUNT_OUT_OF_RANGE"));
        String off = "OFF" + suffix();
        String offId = create("{\"code\": \"" + off + "\", \"kind\": \"fixed\", \"value\": 5}").then().statusCode(201).extract().path("id");
        given().auth().oauth2(Money.ADMIN).delete("/v1/admin/billing/promo-codes/" + offId).then().statusCode(200)
                .body("is_active", equalTo(false));
        preview(user, off, 1000).then().statusCode(422).body("code", equalTo("PROMO_INACTIVE"));
        topUp(user, 1000, off).then().statusCode(422).body("code", equalTo("PROMO_INACTIVE"));
        given().auth().oauth2(user.token()).get("/v1/billing/payments").then().body("meta.total", equalTo(0));

        create("{\"code\": \"X\", \"kind\": \"fixed\", \"value\": 5}").then().statusCode(400);
        create("{\"code\": \"BIG" + suffix() + "\", \"kind\": \"percentage\", \"value\": 600}").then().statusCode(400)
                .body("errors[0].field", equalTo("value"));
        create("{\"code\": \"K" + suffix() + "\", \"kind\": \"free_lunch\", \"value\": 5}").then().statusCode(400);
        given().auth().oauth2(user.token()).contentType("application/json").body("{\"code\": \"MINE\", \"kind\": \"fixed\", \"value\": 5}")
                .post("/v1/admin/billing/promo-codes").then().statusCode(403).body("code", equalTo("ADMIN_ONLY"));
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8).toUpperCase();
    }

    private static Response create(String body) {
        return given().auth().oauth2(Money.ADMIN).contentType("application/json").body(body).post("/v1/admin/billing/promo-codes");
    }

    private static Response preview(Money.User user, String code, long amount) {
        return given().auth().oauth2(user.token()).contentType("application/json")
                .body("{\"code\": \"" + code + "\", \"amount_minor\": " + amount + "}").post("/v1/billing/promo-codes/preview");
    }

    private static Response topUp(Money.User user, long amount, String code) {
        return given().auth().oauth2(user.token()).contentType("application/json")
                .body("{\"amount_minor\": " + amount + ", \"provider\": \"stripe\", \"promo_code\": \"" + code + "\"}")
                .post("/v1/billing/top-ups");
    }

    private static int redeemed(String promoId) {
        List<Integer> counts = given().auth().oauth2(Money.ADMIN).get("/v1/admin/billing/promo-codes").then().statusCode(200)
                .extract().jsonPath().getList("data.findAll { it.id == '" + promoId + "' }.redeemed_count", Integer.class);
        return counts.get(0);
    }
}
