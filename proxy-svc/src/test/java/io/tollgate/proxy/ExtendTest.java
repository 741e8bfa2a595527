package io.tollgate.proxy;

import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.contracts.proxy.PortExpiring;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.TestTokens;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Extending a port: bounded to a year from now, refused input changes nothing, a new end far enough is announced again. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class ExtendTest {

    @BeforeEach
    void fleet() {
        Fixtures.fleet();
    }

    static Instant expiresAt(Fixtures.Caller caller, String id) {
        return Instant.parse(given().auth().oauth2(caller.token()).get("/v1/ports/" + id).then().statusCode(200)
                .extract().<String>path("expires_at"));
    }

    static io.restassured.response.Response extend(Fixtures.Caller caller, String id, String body) {
        return given().auth().oauth2(caller.token()).contentType("application/json").body(body).post("/v1/ports/" + id + "/extend-time");
    }

    static Row row(String id) {
        return Arc.container().instance(Pool.class).get().preparedQuery("select expires_at, expiring_announced_at from ports where id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().indefinitely().iterator().next();
    }

    @Test
    void a_port_is_extended_by_hours_up_to_a_year_from_now_and_refused_input_changes_nothing() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        String id = Fixtures.create(caller, "{\"country_id\": \"US\", \"expires_in\": 7200}").then().statusCode(201).extract().path("id");
        Instant ends = expiresAt(caller, id);
        // 365 days from now less the two hours it already has
        given().auth().oauth2(caller.token()).get("/v1/ports/" + id + "/max-extend-hours").then().statusCode(200)
                .body("max_hours_allowed", equalTo(8758)).body("expires_at", equalTo(ends.toString()));

        for (String bad : List.of("{\"hours\": 0}", "{\"hours\": -3}", "{\"hours\": 8761}", "{\"hours\": \"many\"}", "{}", "[]")) {
            extend(caller, id, bad).then().statusCode(400).contentType("application/problem+json");
        }
        extend(caller, id, "{\"hours\": 8759}").then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("EXTEND_LIMIT_EXCEEDED")).body("max_hours_allowed", equalTo(8758));
        assertEquals(ends, expiresAt(caller, id), "a refused extension changed the port");

        // another user's port, a key that may only read, and no caller at all
        Fixtures.Caller stranger = Fixtures.user();
        extend(stranger, id, "{\"hours\": 1}").then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(stranger.token()).get("/v1/ports/" + id + "/max-extend-hours").then().statusCode(404);
        String reader = TestTokens.user(caller.id(), Fixtures.TENANT).apiKey(UUID.randomUUID(), "proxy:read").sign();
        given().auth().oauth2(reader).contentType("application/json").body("{\"hours\": 1}").post("/v1/ports/" + id + "/extend-time")
                .then().statusCode(403).body("code", equalTo("INSUFFICIENT_SCOPE"));
        given().auth().oauth2(reader).get("/v1/ports/" + id + "/max-extend-hours").then().statusCode(200);
        given().contentType("application/json").body("{\"hours\": 1}").post("/v1/ports/" + id + "/extend-time").then().statusCode(401);
        assertEquals(ends, expiresAt(caller, id));

        // the same request twice under one Idempotency-Key extends once
        String key = UUID.randomUUID().toString();
        for (int i = 0; i < 2; i++) {
            given().auth().oauth2(caller.token()).contentType("application/json").header("Idempotency-Key", key).body("{\"hours\": 48}")
                    .post("/v1/ports/" + id + "/extend-time").then().statusCode(200)
                    .body("new_expires_at", equalTo(ends.plus(Duration.ofHours(48)).toString())).body("max_hours_allowed", equalTo(8710));
        }
        assertEquals(ends.plus(Duration.ofHours(48)), expiresAt(caller, id));
        extend(caller, id, "{\"hours\": 8710}").then().statusCode(200).body("max_hours_allowed", equalTo(0));
        given().auth().oauth2(caller.token()).get("/v1/ports/" + id + "/max-extend-hours").then().body("max_hours_allowed", equalTo(0));
        extend(caller, id, "{\"hours\": 1}").then().statusCode(400).body("code", equalTo("EXTEND_LIMIT_EXCEEDED"));

        // an ended port is not extended
        given().auth().oauth2(caller.token()).delete("/v1/ports/" + id).then().statusCode(200);
        extend(caller, id, "{\"hours\": 1}").then().statusCode(404);
    }

    @Test
    void an_expiring_port_extended_beyond_the_next_day_is_announced_again_and_an_expired_one_is_refused() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "proxy.events")) {
            String id = Fixtures.create(caller, "{\"country_id\": \"DE\", \"expires_in\": 3600}").then().statusCode(201)
                    .extract().path("id");
            probe.first(r -> id.equals(r.key()) && PortExpiring.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(30));
            Fixtures.until(() -> row(id).getOffsetDateTime("expiring_announced_at") != null, Duration.ofSeconds(10));
            // still within the day: the warning given stands
            extend(caller, id, "{\"hours\": 2}").then().statusCode(200);
            assertNotNull(row(id).getOffsetDateTime("expiring_announced_at"));
            // beyond it: warned again a day before the new end
            extend(caller, id, "{\"hours\": 48}").then().statusCode(200);
            assertNull(row(id).getOffsetDateTime("expiring_announced_at"));

            Arc.container().instance(Pool.class).get().preparedQuery("update ports set expires_at = now() - interval '1 second' where id = $1")
                    .execute(Tuple.of(UUID.fromString(id))).await().indefinitely();
            Fixtures.until(() -> "expired".equals(given().auth().oauth2(caller.token()).get("/v1/ports/" + id).then().extract()
                    .path("status")), Duration.ofSeconds(30));
            extend(caller, id, "{\"hours\": 1}").then().statusCode(409).contentType("application/problem+json")
                    .body("code", equalTo("PORT_NOT_ACTIVE"));
        }
    }
}
