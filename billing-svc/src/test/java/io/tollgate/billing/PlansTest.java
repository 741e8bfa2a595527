package io.tollgate.billing;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.billing.plans.Subscriptions;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.billing.SubscriptionExpired;
import io.tollgate.contracts.billing.SubscriptionRenewed;
import io.tollgate.kit.testing.Events;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.TestTokens;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Plans bought from the balance, renewed (or ended) by the scheduler at the period end. */
@QuarkusTest
class PlansTest {

    @Inject
    Subscriptions subscriptions;

    @Test
    void the_catalogue_lists_the_plans_in_order() {
        Money.User user = Money.user(0);
        given().auth().oauth2(user.token()).get("/v1/billing/plans").then().statusCode(200)
                .body("data.code", contains("starter", "pro", "studio")).body("data[1].is_featured", equalTo(true))
                .body("data[1].before_price_minor", equalTo(3990)).body("data[1].monthly_renders_quota", equalTo(500));
        given().auth().oauth2(user.token()).get("/v1/billing/plans/studio").then().statusCode(200).body("price_minor", equalTo(9990));
        given().auth().oauth2(user.token()).get("/v1/billing/plans/gold").then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(user.token()).get("/v1/billing/subscription").then().statusCode(404);
    }

    @Test
    void a_subscription_is_paid_monthly_and_ends_when_not_renewed() throws Exception {
        Money.User user = Money.user(10_000);
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            String id = given().auth().oauth2(user.token()).contentType("application/json").body("{\"plan_code\": \"pro\"}")
                    .post("/v1/billing/subscription").then().statusCode(201)
                    .body("status", equalTo("active")).body("auto_renew", equalTo(true)).body("plan.code", equalTo("pro"))
                    .body("renewals", equalTo(0)).extract().path("id");
            assertEquals(7_010, Money.available(user));
            var started = probe.first(r -> SubscriptionRenewed.TYPE.equals(KafkaProbe.header(r, "ce_type"))
                    && new String(r.value()).contains(id), Duration.ofSeconds(20));
            EventSchemas.assertValid(SubscriptionRenewed.TYPE, started.value());
            assertEquals("started", Events.JSON.readTree(started.value()).path("reason").asText());
            assertEquals(500, Events.JSON.readTree(started.value()).path("monthly_renders_quota").asInt());
            given().auth().oauth2(user.token()).contentType("application/json").body("{\"plan_code\": \"starter\"}")
                    .post("/v1/billing/subscription").then().statusCode(409).body("code", equalTo("SUBSCRIPTION_ACTIVE"));
            assertEquals(7_010, Money.available(user));
            given().auth().oauth2(user.token()).get("/v1/billing/invoices").then().body("data.total_minor", hasItem(2990));

            // the period ends: renewed from the balance
            String end = given().auth().oauth2(user.token()).get("/v1/billing/subscription").path("period_end");
            subscriptions.renewDue(Instant.parse(end).plusSeconds(1)).await().atMost(Duration.ofSeconds(30));
            given().auth().oauth2(user.token()).get("/v1/billing/subscription").then().body("status", equalTo("active"))
                    .body("renewals", equalTo(1)).body("period_start", equalTo(end));
            assertEquals(4_020, Money.available(user));
            var renewed = probe.first(r -> SubscriptionRenewed.TYPE.equals(KafkaProbe.header(r, "ce_type"))
                    && new String(r.value()).contains("\"renewed\"") && new String(r.value()).contains(id), Duration.ofSeconds(20));
            EventSchemas.assertValid(SubscriptionRenewed.TYPE, renewed.value());

            // renewal off: it ends at the next period end, with nothing charged
            given().auth().oauth2(user.token()).contentType("application/json").body("{\"auto_renew\": false}")
                    .patch("/v1/billing/subscription").then().statusCode(200).body("auto_renew", equalTo(false));
            String next = given().auth().oauth2(user.token()).get("/v1/billing/subscription").path("period_end");
            subscriptions.renewDue(Instant.parse(next).plusSeconds(1)).await().atMost(Duration.ofSeconds(30));
            given().auth().oauth2(user.token()).get("/v1/billing/subscription").then().body("status", equalTo("expired"))
                    .body("end_reason", equalTo("not_renewed")).body("ended_at", not(nullValue()));
            assertEquals(4_020, Money.available(user));
            var expired = probe.first(r -> SubscriptionExpired.TYPE.equals(KafkaProbe.header(r, "ce_type"))
                    && new String(r.value()).contains(id), Duration.ofSeconds(20));
            EventSchemas.assertValid(SubscriptionExpired.TYPE, expired.value());
        }
        // a new one can start now
        given().auth().oauth2(user.token()).contentType("application/json").body("{\"plan_code\": \"starter\", \"auto_renew\": false}")
                .post("/v1/billing/subscription").then().statusCode(201).body("plan.code", equalTo("starter"));
    }

    @Test
    void a_renewal_the_balance_cannot_pay_and_a_cancellation_end_the_plan() {
        Money.User poor = Money.user(990);
        given().auth().oauth2(poor.token()).contentType("application/json").body("{\"plan_code\": \"starter\"}")
                .post("/v1/billing/subscription").then().statusCode(201);
        assertEquals(0, Money.available(poor));
        String end = given().auth().oauth2(poor.token()).get("/v1/billing/subscription").path("period_end");
        subscriptions.renewDue(Instant.parse(end).plusSeconds(1)).await().atMost(Duration.ofSeconds(30));
        given().auth().oauth2(poor.token()).get("/v1/billing/subscription").then().body("status", equalTo("expired"))
                .body("end_reason", equalTo("renewal_failed"));
        assertEquals(0, Money.available(poor));

        Money.User leaving = Money.user(5_000);
        given().auth().oauth2(leaving.token()).contentType("application/json").body("{\"plan_code\": \"starter\"}")
                .post("/v1/billing/subscription").then().statusCode(201);
        given().auth().oauth2(leaving.token()).delete("/v1/billing/subscription").then().statusCode(200)
                .body("status", equalTo("active")).body("auto_renew", equalTo(false)).body("cancelled_at", not(nullValue()));
        String leavingEnd = given().auth().oauth2(leaving.token()).get("/v1/billing/subscription").path("period_end");
        subscriptions.renewDue(Instant.parse(leavingEnd).plusSeconds(1)).await().atMost(Duration.ofSeconds(30));
        given().auth().oauth2(leaving.token()).get("/v1/billing/subscription").then().body("status", equalTo("expired"))
                .body("end_reason", equalTo("cancelled"));
        assertEquals(4_010, Money.available(leaving));
    }

    @Test
    void bad_requests_change_nothing() {
        Money.User user = Money.user(100);
        given().auth().oauth2(user.token()).contentType("application/json").body("{\"plan_code\": \"pro\"}")
                .post("/v1/billing/subscription").then().statusCode(402).body("code", equalTo("INSUFFICIENT_BALANCE"));
        given().auth().oauth2(user.token()).get("/v1/billing/subscription").then().statusCode(404);
        given().auth().oauth2(user.token()).contentType("application/json").body("{}").post("/v1/billing/subscription").then()
                .statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(user.token()).contentType("application/json").body("{\"plan_code\": \"gold\"}")
                .post("/v1/billing/subscription").then().statusCode(400).body("errors[0].field", equalTo("plan_code"));
        given().auth().oauth2(user.token()).delete("/v1/billing/subscription").then().statusCode(404);
        given().auth().oauth2(user.token()).contentType("application/json").body("{}").patch("/v1/billing/subscription").then()
                .statusCode(400);
        String reader = TestTokens.user(user.id(), Money.TENANT).apiKey(UUID.randomUUID(), "billing:read").sign();
        given().auth().oauth2(reader).contentType("application/json").body("{\"plan_code\": \"starter\"}")
                .post("/v1/billing/subscription").then().statusCode(403);
        assertEquals(100, Money.available(user));
    }
}
