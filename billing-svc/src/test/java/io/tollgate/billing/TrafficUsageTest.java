package io.tollgate.billing;

import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.billing.AllowanceExhausted;
import io.tollgate.contracts.billing.AllowanceRestored;
import io.tollgate.contracts.proxy.TrafficMetered;
import io.tollgate.kit.testing.Events;
import io.tollgate.kit.testing.KafkaProbe;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Proxy's metered traffic against the allowance bought; usage per day; the top spenders. */
@QuarkusTest
class TrafficUsageTest {

    static final long MB = 1_000_000L;

    @Test
    void metered_traffic_draws_the_allowance_down_once_per_window_and_exhaustion_fires_once() throws Exception {
        Money.User user = Money.user(2_000);
        buy(user, 1);
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "billing.events")) {
            String first = meter(user, 400 * MB, 200 * MB, false, null);
            awaitUsed(user, 600 * MB);
            meter(user, 400 * MB, 200 * MB, false, first); // the same window again counts once
            meter(user, 500 * MB, 0, false, null);
            awaitUsed(user, 1_100 * MB);
            meter(user, 0, 100 * MB, false, null);
            awaitUsed(user, 1_200 * MB);
            given().auth().oauth2(user.token()).get("/v1/billing/entitlements").then()
                    .body("traffic_shared_bytes", equalTo(0)).body("overage_shared_bytes", equalTo(200_000_000))
                    .body("used_shared_bytes", equalTo(1_200_000_000));
            var exhausted = probe.collect(r -> AllowanceExhausted.TYPE.equals(KafkaProbe.header(r, "ce_type"))
                    && new String(r.value()).contains(user.id().toString()), Duration.ofSeconds(20), Duration.ofSeconds(2));
            assertEquals(1, exhausted.size(), "exhausted once per crossing");
            EventSchemas.assertValid(AllowanceExhausted.TYPE, exhausted.getFirst().value());
            assertEquals("traffic_shared", Events.JSON.readTree(exhausted.getFirst().value()).path("resource").asText());
            assertEquals(100 * MB, Events.JSON.readTree(exhausted.getFirst().value()).path("overage_bytes").asLong(), "the overage when it ran out");

            // buying again brings it back
            buy(user, 1);
            var restored = probe.first(r -> AllowanceRestored.TYPE.equals(KafkaProbe.header(r, "ce_type"))
                    && new String(r.value()).contains(user.id().toString()), Duration.ofSeconds(20));
            EventSchemas.assertValid(AllowanceRestored.TYPE, restored.value());
            assertEquals(1_000_000_000L, Events.JSON.readTree(restored.value()).path("available_bytes").asLong());
        }
        given().auth().oauth2(user.token()).get("/v1/billing/entitlements").then().body("traffic_shared_bytes", equalTo(1_000_000_000))
                .body("traffic_private_bytes", equalTo(0));

        // usage: the purchases and the traffic of today
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        given().auth().oauth2(user.token()).get("/v1/billing/usage").then().statusCode(200)
                .body("total_minor.USD", equalTo(800))
                .body("spend.find { it.product == 'proxy' }.amount_minor", equalTo(800))
                .body("spend.find { it.product == 'proxy' }.count", equalTo(2))
                .body("traffic[0].date", equalTo(today)).body("traffic[0].bytes", equalTo(1_200_000_000))
                .body("traffic[0].windows", equalTo(3));
    }

    @Test
    void usage_counts_captured_holds_by_product_and_bad_ranges_are_refused() {
        Money.User user = Money.user(10_000);
        for (int i = 0; i < 3; i++) {
            String hold = Money.hold(user, 500).then().statusCode(201).extract().path("id");
            Money.capture(hold, 200L).then().statusCode(200);
        }
        String modelled = given().auth().oauth2(Money.RENDER).contentType("application/json")
                .body("{\"user_id\": \"" + user.id() + "\", \"tenant_id\": \"" + Money.TENANT + "\", \"amount_minor\": 400, "
                        + "\"model_id\": \"flux-1\"}").post("/internal/holds").then().statusCode(201).extract().path("id");
        Money.capture(modelled, 300L).then().statusCode(200);
        String voided = Money.hold(user, 500).then().statusCode(201).extract().path("id");
        Money.voidHold(voided).then().statusCode(200);
        given().auth().oauth2(user.token()).get("/v1/billing/usage?from=" + LocalDate.now(ZoneOffset.UTC).minusDays(1)).then()
                .statusCode(200).body("spend.product", equalTo(List.of("render", "render")))
                .body("spend.find { it.model_id == null }.amount_minor", equalTo(600))
                .body("spend.find { it.model_id == null }.count", equalTo(3))
                .body("spend.find { it.model_id == 'flux-1' }.amount_minor", equalTo(300))
                .body("total_minor.USD", equalTo(900));
        for (String bad : List.of("from=yesterday", "from=2026-02-01&to=2026-01-01", "from=2024-01-01&to=2026-01-01")) {
            given().auth().oauth2(user.token()).get("/v1/billing/usage?" + bad).then().statusCode(400)
                    .contentType("application/problem+json");
        }

        // a big spender is among the top
        Money.User big = Money.user(5_000_000);
        given().auth().oauth2(big.token()).contentType("application/json")
                .body("{\"resource\": \"traffic\", \"amount\": 10000, \"is_private\": true}").post("/v1/billing/purchases").then()
                .statusCode(201).body("purchase.total_minor", equalTo(4_800_000));
        given().auth().oauth2(Money.ADMIN).get("/v1/admin/billing/usage/top-users?window=24h&limit=100").then().statusCode(200)
                .body("window", equalTo("24h")).body("data.user_id", hasItem(big.id().toString()));
        List<Integer> amounts = given().auth().oauth2(Money.ADMIN).get("/v1/admin/billing/usage/top-users?window=24h&limit=100")
                .jsonPath().getList("data.amount_minor", Integer.class);
        for (int i = 1; i < amounts.size(); i++) {
            assertTrue(amounts.get(i - 1) >= amounts.get(i), "ordered by spend: " + amounts);
        }
        given().auth().oauth2(Money.ADMIN).get("/v1/admin/billing/usage/top-users?window=24h&limit=1").then().body("data.size()", equalTo(1));
        given().auth().oauth2(Money.ADMIN).get("/v1/admin/billing/usage/top-users?window=1y").then().statusCode(400);
        given().auth().oauth2(Money.ADMIN).get("/v1/admin/billing/usage/top-users?limit=0").then().statusCode(400);
        given().auth().oauth2(user.token()).get("/v1/admin/billing/usage/top-users").then().statusCode(403);
    }

    private static void buy(Money.User user, int gb) {
        given().auth().oauth2(user.token()).contentType("application/json")
                .body("{\"resource\": \"traffic\", \"amount\": " + gb + "}").post("/v1/billing/purchases").then().statusCode(201);
    }

    private static String meter(Money.User user, long in, long out, boolean isPrivate, String id) throws Exception {
        Instant now = Instant.now();
        return Events.publish(new TrafficMetered(user.id(), Money.TENANT, "port_" + UUID.randomUUID(), isPrivate, in, out,
                now.minusSeconds(60), now), id, user.id().toString(), "proxy-svc");
    }

    private static void awaitUsed(Money.User user, long bytes) throws InterruptedException {
        await(() -> given().auth().oauth2(user.token()).get("/v1/billing/entitlements").jsonPath().getLong("used_shared_bytes") == bytes);
    }

    private static void await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "metered traffic was not charged in 30 s");
            Thread.sleep(100);
        }
    }
}
