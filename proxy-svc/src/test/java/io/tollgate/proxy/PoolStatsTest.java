package io.tollgate.proxy;

import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.billing.AllowanceExhausted;
import io.tollgate.kit.testing.Events;
import io.tollgate.kit.testing.TestTokens;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** The caller's figures per kind: slots from billing, ports by state, a spent allowance, traffic carried; each user's own. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class PoolStatsTest {

    static final String PATH = "/v1/proxy/pool/stats";

    @Test
    void stats_count_the_callers_own_slots_ports_and_traffic_per_kind() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        // nothing bought yet: every figure is zero
        given().auth().oauth2(caller.token()).get(PATH).then().statusCode(200)
                .body("shared.slots", equalTo(0)).body("shared.free_slots", equalTo(0)).body("private.active_ports", equalTo(0))
                .body("used_traffic_bytes", equalTo(0));

        Fixtures.slots(caller, 3, 1);
        List<String> made = given().auth().oauth2(caller.token()).contentType("application/json")
                .body("{\"ports\": [{\"country_id\": \"US\", \"expires_in\": 600}, {\"country_id\": \"GB\", \"expires_in\": 600},"
                        + " {\"country_id\": \"DE\", \"expires_in\": 600, \"is_private\": true}]}")
                .post("/v1/ports/bulk").then().statusCode(201).body("success", equalTo(3)).extract().path("created.id");
        // what the data plane will record as the ports carry traffic
        Pool pool = Arc.container().instance(Pool.class).get();
        pool.preparedQuery("update ports set used_traffic_bytes = $2 where id = $1")
                .execute(Tuple.of(UUID.fromString(made.get(0)), 1_500_000L)).await().indefinitely();
        pool.preparedQuery("update ports set used_traffic_bytes = $2 where id = $1")
                .execute(Tuple.of(UUID.fromString(made.get(2)), 250_000L)).await().indefinitely();
        // one shared port deleted (its traffic still counts), the private kind's traffic spent at billing
        given().auth().oauth2(caller.token()).delete("/v1/ports/" + made.get(0)).then().statusCode(200);
        Events.publish(new AllowanceExhausted(caller.id(), Fixtures.TENANT, "traffic_private", 0, Instant.now()), null,
                caller.id().toString(), "billing-svc");
        Fixtures.until(() -> "suspended".equals(given().auth().oauth2(caller.token()).get("/v1/ports/" + made.get(2)).path("status")),
                Duration.ofSeconds(30));

        given().auth().oauth2(caller.token()).get(PATH).then().statusCode(200)
                .body("shared.slots", equalTo(3)).body("shared.free_slots", equalTo(2)).body("shared.active_ports", equalTo(1))
                .body("shared.suspended_ports", equalTo(0)).body("shared.traffic_exhausted", equalTo(false))
                .body("shared.used_traffic_bytes", equalTo(1_500_000))
                .body("private.slots", equalTo(1)).body("private.free_slots", equalTo(0)).body("private.active_ports", equalTo(0))
                .body("private.suspended_ports", equalTo(1)).body("private.traffic_exhausted", equalTo(true))
                .body("private.used_traffic_bytes", equalTo(250_000)).body("used_traffic_bytes", equalTo(1_750_000));

        // another user sees only their own (none); a key without proxy:read and no caller are refused
        given().auth().oauth2(Fixtures.user().token()).get(PATH).then().statusCode(200).body("shared.slots", equalTo(0))
                .body("shared.active_ports", equalTo(0)).body("used_traffic_bytes", equalTo(0));
        String billingKey = TestTokens.user(caller.id(), Fixtures.TENANT).apiKey(UUID.randomUUID(), "billing:read").sign();
        given().auth().oauth2(billingKey).get(PATH).then().statusCode(403).contentType("application/problem+json")
                .body("code", equalTo("INSUFFICIENT_SCOPE"));
        given().get(PATH).then().statusCode(401);
    }
}
