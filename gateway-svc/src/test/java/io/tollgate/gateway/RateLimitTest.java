package io.tollgate.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Limits are exact: with N allowed per window, N requests sent together all pass and the next one
 * is refused with 429, Retry-After and the IETF RateLimit headers.
 */
@QuarkusTest
@QuarkusTestResource(StandInUpstreams.class)
class RateLimitTest {

    @Test
    void auth_routes_admit_five_per_minute_per_address_then_429() {
        String ip = randomIp();
        for (int i = 1; i <= 5; i++) {
            Response ok = given().header("X-Forwarded-For", ip).contentType("application/json").body("{}")
                    .post("/v1/auth/login");
            assertEquals(201, ok.statusCode(), "request " + i + " of 5");
            assertEquals("\"auth\";q=5;w=60", ok.getHeader("RateLimit-Policy"));
            assertTrue(ok.getHeader("RateLimit").startsWith("\"auth\";r=" + (5 - i) + ";t="), ok.getHeader("RateLimit"));
        }
        Response refused = given().header("X-Forwarded-For", ip).contentType("application/json").body("{}")
                .post("/v1/auth/login");
        refused.then().statusCode(429).contentType("application/problem+json").body("code", equalTo("RATE_LIMITED"));
        long retryAfter = Long.parseLong(refused.getHeader("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 12, "Retry-After " + retryAfter);
        assertTrue(refused.getHeader("RateLimit").startsWith("\"auth\";r=0;"), refused.getHeader("RateLimit"));
        // another address has its own bucket
        given().header("X-Forwarded-For", randomIp()).contentType("application/json").body("{}").post("/v1/auth/login")
                .then().statusCode(201);
    }

    @Test
    void purchases_admit_ten_per_minute_per_user_and_a_refusal_costs_nothing() {
        String token = Callers.user();
        for (int i = 1; i <= 10; i++) {
            given().auth().oauth2(token).contentType("application/json").body("{}").post("/v1/billing/purchases")
                    .then().statusCode(201);
        }
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(token).contentType("application/json").body("{}").post("/v1/billing/purchases")
                    .then().statusCode(429).header("RateLimit-Policy", "\"purchase\";q=10;w=60");
        }
        // the general bucket of the same user was not charged by the purchases
        Response general = given().auth().oauth2(token).get("/v1/billing/balance");
        general.then().statusCode(200).header("RateLimit-Policy", "\"general\";q=200;w=60");
        assertTrue(general.getHeader("RateLimit").startsWith("\"general\";r=199;"), general.getHeader("RateLimit"));
    }

    @Test
    void a_burst_of_concurrent_requests_admits_exactly_the_limit() throws Exception {
        // 3 users x 30 concurrent purchases: the decisions are pipelined to Redis together and still
        // each user gets exactly 10 through
        List<String> tokens = List.of(Callers.user(), Callers.user(), Callers.user());
        List<Callable<int[]>> calls = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            int user = i % 3;
            calls.add(() -> new int[] {user, given().auth().oauth2(tokens.get(user)).contentType("application/json")
                    .body("{}").post("/v1/billing/purchases").statusCode()});
        }
        ExecutorService pool = Executors.newFixedThreadPool(32);
        int[] admitted = new int[3];
        int[] refused = new int[3];
        try {
            for (Future<int[]> f : pool.invokeAll(calls)) {
                int[] outcome = f.get();
                if (outcome[1] == 201) {
                    admitted[outcome[0]]++;
                } else {
                    assertEquals(429, outcome[1]);
                    refused[outcome[0]]++;
                }
            }
        } finally {
            pool.shutdown();
        }
        for (int user = 0; user < 3; user++) {
            assertEquals(10, admitted[user], "user " + user + " admitted");
            assertEquals(20, refused[user], "user " + user + " refused");
        }
    }

    @Test
    void an_api_key_is_held_to_its_own_rpm_on_top_of_its_owner_limit() {
        String key = TestTokens.user(UUID.randomUUID(), Callers.TENANT).apiKey(UUID.randomUUID(), "billing:read")
                .rateLimitRpm(7).sign();
        for (int i = 1; i <= 7; i++) {
            Response ok = given().auth().oauth2(key).get("/v1/billing/balance");
            assertEquals(200, ok.statusCode(), "request " + i + " of 7");
            assertEquals("\"general\";q=200;w=60, \"key\";q=7;w=60", ok.getHeader("RateLimit-Policy"));
        }
        Response refused = given().auth().oauth2(key).get("/v1/billing/balance");
        refused.then().statusCode(429).body("code", equalTo("RATE_LIMITED"));
        assertTrue(refused.getHeader("RateLimit").contains("\"key\";r=0;"), refused.getHeader("RateLimit"));
    }

    @Test
    void payment_provider_webhooks_are_not_limited() {
        String ip = randomIp();
        for (int i = 0; i < 30; i++) {
            Response response = given().header("X-Forwarded-For", ip).contentType("application/json").body("{}")
                    .post("/v1/billing/webhooks/stripe");
            assertEquals(201, response.statusCode());
            assertEquals(null, response.getHeader("RateLimit"));
        }
    }

    static String randomIp() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "198.18." + r.nextInt(256) + "." + r.nextInt(1, 255);
    }
}
