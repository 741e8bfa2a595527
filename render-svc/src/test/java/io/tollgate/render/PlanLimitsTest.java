package io.tollgate.render;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.billing.SubscriptionExpired;
import io.tollgate.contracts.billing.SubscriptionRenewed;
import io.tollgate.kit.testing.Events;
import io.tollgate.kit.testing.TestTokens;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Limits from the caller's plan (billing's subscription events): renders per period, jobs at once, queue priority. */
@QuarkusTest
@QuarkusTestResource(StandInBilling.class)
@QuarkusTestResource(RenderProviderSandbox.class)
class PlanLimitsTest {

    private final Pool pool;

    PlanLimitsTest(Pool pool) {
        this.pool = pool;
    }

    private void awaitPlan(QueueTest.Caller caller, String plan) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            String now = given().auth().oauth2(caller.token()).get("/v1/me/render-limits").then().statusCode(200).extract().path("plan_code");
            if (plan == null ? now == null : plan.equals(now)) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "the plan did not become " + plan + ": " + now);
            Thread.sleep(100);
        }
    }

    private int priority(String id) {
        return pool.preparedQuery("select priority from jobs where id = $1").execute(Tuple.of(UUID.fromString(id))).await().indefinitely()
                .iterator().next().getInteger(0);
    }

    @Test
    void a_plan_sets_renders_per_period_jobs_at_once_and_priority_and_its_end_restores_the_defaults() throws Exception {
        QueueTest.Caller caller = QueueTest.caller();
        given().auth().oauth2(caller.token()).get("/v1/me/render-limits").then().statusCode(200)
                .body("plan_code", nullValue()).body("window", equalTo("day")).body("limit", equalTo(1000))
                .body("parallel_renders", equalTo(1)).body("priority", equalTo(50));

        UUID subscription = UUID.randomUUID();
        Instant start = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        Instant end = start.plus(30, ChronoUnit.DAYS);
        Events.publish(new SubscriptionRenewed(caller.id(), CatalogTest.TENANT, subscription, "pro", "started", 2990, "USD", start, end,
                2, 14400, 3, Instant.now()), null, caller.id().toString(), "billing-svc");
        awaitPlan(caller, "pro");
        given().auth().oauth2(caller.token()).get("/v1/me/render-limits").then().statusCode(200)
                .body("window", equalTo("period")).body("limit", equalTo(2)).body("remaining", equalTo(2))
                .body("parallel_renders", equalTo(3)).body("priority", equalTo(70)).body("resets_at", equalTo(end.toString()));

        // the test default is one job at once; the plan's three let both run together
        String first = QueueTest.submit(caller, QueueTest.MODEL, QueueTest.SLOW, null).then().statusCode(202).extract().path("request_id");
        String second = QueueTest.submit(caller, QueueTest.MODEL, QueueTest.SLOW, null).then().statusCode(202).extract().path("request_id");
        QueueTest.awaitStatus(caller, QueueTest.MODEL, first, "IN_PROGRESS");
        QueueTest.awaitStatus(caller, QueueTest.MODEL, second, "IN_PROGRESS");
        assertEquals(70, priority(first));
        // the period's two renders are used: the third is refused and nothing is held or queued
        int holds = StandInBilling.HOLDS.size();
        QueueTest.submit(caller, QueueTest.MODEL, "{\"prompt\": \"third\"}", null).then().statusCode(429)
                .contentType("application/problem+json").body("code", equalTo("RENDER_LIMIT_EXCEEDED"))
                .header("Retry-After", notNullValue()).body("resets_at", equalTo(end.toString()));
        assertEquals(holds, StandInBilling.HOLDS.size());
        given().auth().oauth2(caller.token()).get("/v1/me/render-limits").then().body("remaining", equalTo(0)).body("used", greaterThan(1));

        // an older announcement read late changes nothing; the plan's end restores the defaults
        Events.publish(new SubscriptionRenewed(caller.id(), CatalogTest.TENANT, subscription, "starter", "started", 990, "USD", start, end,
                100, 3600, 1, Instant.now().minus(1, ChronoUnit.DAYS)), null, caller.id().toString(), "billing-svc");
        Events.publish(new SubscriptionExpired(caller.id(), CatalogTest.TENANT, subscription, "pro", "cancelled", Instant.now()), null,
                caller.id().toString(), "billing-svc");
        awaitPlan(caller, null);
        given().auth().oauth2(caller.token()).get("/v1/me/render-limits").then().body("window", equalTo("day"))
                .body("parallel_renders", equalTo(1));
        // back to one at once: the plan's two jobs end first
        QueueTest.awaitStatus(caller, QueueTest.MODEL, first, "COMPLETED");
        QueueTest.awaitStatus(caller, QueueTest.MODEL, second, "COMPLETED");
        String third = QueueTest.submit(caller, QueueTest.MODEL, "{\"prompt\": \"after the plan\", \"width\": 64, \"height\": 64}", null)
                .then().statusCode(202).extract().path("request_id");
        assertEquals(50, priority(third));
        QueueTest.awaitStatus(caller, QueueTest.MODEL, third, "COMPLETED");
    }

    @Test
    void the_limits_need_render_read() {
        String key = TestTokens.user(UUID.randomUUID(), CatalogTest.TENANT).apiKey(UUID.randomUUID(), "render:create").sign();
        given().auth().oauth2(key).get("/v1/me/render-limits").then().statusCode(403).contentType("application/problem+json");
        given().get("/v1/me/render-limits").then().statusCode(401);
    }
}
