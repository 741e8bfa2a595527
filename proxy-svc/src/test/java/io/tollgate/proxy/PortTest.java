package io.tollgate.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.proxy.PortCreated;
import io.tollgate.contracts.proxy.PortDeleted;
import io.tollgate.contracts.proxy.PortExpiring;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.TestTokens;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Creating, reading, changing and deleting ports: slots from billing's events, the e-mail rule, the 20 s limit, sealed passwords. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class PortTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String US = "{\"country_id\": \"US\", \"expires_in\": 120, \"is_private\": false}";

    @BeforeEach
    void fleet() {
        Fixtures.fleet();
    }

    static int ports(Fixtures.Caller caller) {
        return given().auth().oauth2(caller.token()).get("/v1/ports").then().statusCode(200).extract().path("meta.total");
    }

    @Test
    void a_port_takes_a_slot_bought_at_billing_and_answers_with_its_credentials() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.create(caller, US).then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("SLOT_LIMIT_EXCEEDED")).body("limit", equalTo(0)).body("held", equalTo(0));
        Fixtures.slots(caller, 1, 0);
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "proxy.events")) {
            Instant before = Instant.now();
            Response created = Fixtures.create(caller, "{\"country_id\": \"DE\", \"expires_in\": 3600, \"os_fingerprint\": \"android:1\"}");
            created.then().statusCode(201).header("Location", notNullValue()).body("status", equalTo("active"))
                    .body("http_port", greaterThan(0)).body("socks_port", greaterThan(0)).body("server_ip", equalTo("127.0.0.1"))
                    .body("proxy_login", matchesPattern("^[a-zA-Z0-9_-]{3,32}$")).body("proxy_password", notNullValue())
                    .body("name", matchesPattern("^tg_[0-9a-f]{6}_[0-9a-f]{6}$")).body("display_name", equalTo("Proxy #1"))
                    .body("country_id", equalTo("DE")).body("is_private", equalTo(false)).body("public_ip", notNullValue())
                    .body("os_fingerprint", equalTo("android:1")).body("is_active", equalTo(true));
            String id = created.path("id");
            Instant expires = Instant.parse(created.path("expires_at"));
            assertTrue(!expires.isBefore(before.plusSeconds(3600)) && expires.isBefore(Instant.now().plusSeconds(3601)), expires.toString());

            // the same credentials on every read; the password is sealed at rest, bound to the port
            given().auth().oauth2(caller.token()).get("/v1/ports/" + id).then().statusCode(200)
                    .body("proxy_password", equalTo(created.path("proxy_password"))).body("http_port", equalTo(created.path("http_port")));
            String sealed = Arc.container().instance(Pool.class).get().preparedQuery("select proxy_password_sealed from ports where id = $1")
                    .execute(Tuple.of(UUID.fromString(id))).await().indefinitely().iterator().next().getString(0);
            assertFalse(sealed.contains((String) created.path("proxy_password")));

            // a second creation within 20 s is refused, and the list holds one port
            Fixtures.create(caller, US).then().statusCode(429);
            assertEquals(1, ports(caller));

            given().auth().oauth2(caller.token()).delete("/v1/ports/" + id).then().statusCode(200).body("message", equalTo("Port deleted"));
            given().auth().oauth2(caller.token()).get("/v1/ports/" + id).then().statusCode(404);
            assertEquals(0, ports(caller));

            // (a port of an hour is also announced as expiring: ExpiryTest covers that one)
            List<ConsumerRecord<String, byte[]>> events = probe.collect(r -> id.equals(r.key())
                    && !PortExpiring.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(20), Duration.ofSeconds(2));
            assertEquals(List.of(PortCreated.TYPE, PortDeleted.TYPE), events.stream().map(r -> KafkaProbe.header(r, "ce_type")).toList());
            for (ConsumerRecord<String, byte[]> event : events) {
                EventSchemas.assertValid(KafkaProbe.header(event, "ce_type"), event.value());
            }
            JsonNode made = JSON.readTree(events.get(0).value());
            assertEquals(caller.id().toString(), made.path("user_id").asText());
            assertEquals("DE", made.path("country").asText());
            assertFalse(new String(events.get(0).value()).contains((String) created.path("proxy_password")), "no password in events");
        }
    }

    @Test
    void a_device_locked_for_a_moment_by_its_heartbeat_still_takes_the_port() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        Pool pool = Arc.container().instance(Pool.class).get();
        // every German device's row is held for a moment, as a heartbeat or another placement holds one
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        var holder = pool.withTransaction(tx -> tx.query("select id from devices where country_code = 'DE' for update").execute()
                .invoke(held::countDown).chain(() -> io.smallrye.mutiny.Uni.createFrom().voidItem().onItem().delayIt()
                        .by(Duration.ofMillis(80)))).subscribeAsCompletionStage();
        assertTrue(held.await(10, java.util.concurrent.TimeUnit.SECONDS));
        Fixtures.create(caller, "{\"country_id\": \"DE\", \"expires_in\": 600, \"is_private\": false}").then().statusCode(201)
                .body("country_id", equalTo("DE"));
        holder.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void one_port_may_be_created_every_twenty_seconds_and_a_refused_one_costs_nothing() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 3, 0);
        // refused before the limit: invalid input and an unknown location change nothing and take no turn
        Fixtures.create(caller, US.replace("120", "59")).then().statusCode(400).body("errors[0].field", equalTo("expires_in"));
        Fixtures.create(caller, "{\"country_id\": \"US\", \"expires_in\": 120, \"city_id\": \"" + UUID.randomUUID() + "\"}")
                .then().statusCode(400).body("errors[0].field", equalTo("city_id"));
        Fixtures.create(caller, "{\"country_id\": \"JP\", \"expires_in\": 120}").then().statusCode(400)
                .body("code", equalTo("NO_DEVICE_AVAILABLE"));
        Fixtures.create(caller, US).then().statusCode(201);
        Fixtures.create(caller, US).then().statusCode(429).contentType("application/problem+json").body("code", equalTo("RATE_LIMITED"))
                .header("Retry-After", matchesPattern("^([1-9]|1[0-9]|20)$"));
        assertEquals(1, ports(caller));
    }

    @Test
    void every_field_of_the_create_port_dto_is_checked_and_bad_input_creates_nothing() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 2, 0);
        for (String[] bad : new String[][] {
                {"{\"expires_in\": 120}", "country_id"},
                {"{\"country_id\": \"us\", \"expires_in\": 120}", "country_id"},
                {"{\"country_id\": \"USA\", \"expires_in\": 120}", "country_id"},
                {"{\"country_id\": \"US\"}", "expires_in"},
                {"{\"country_id\": \"US\", \"expires_in\": 31536001}", "expires_in"},
                {"{\"country_id\": \"US\", \"expires_in\": 120, \"os_fingerprint\": \"linux:1\"}", "os_fingerprint"},
                {"{\"country_id\": \"US\", \"expires_in\": 120, \"carrier_id\": \"nope\"}", "carrier_id"},
                {"{\"country_id\": \"US\", \"expires_in\": 120, \"is_private\": \"yes\"}", "is_private"}}) {
            Fixtures.create(caller, bad[0]).then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("VALIDATION_ERROR")).body("errors.field", hasItem(bad[1]));
        }
        assertEquals(0, ports(caller));
    }

    @Test
    void an_unverified_email_cannot_create_a_port() throws Exception {
        UUID id = UUID.randomUUID();
        Fixtures.Caller verified = new Fixtures.Caller(id, TestTokens.user(id, Fixtures.TENANT).sign());
        Fixtures.slots(verified, 1, 0);
        String unverified = TestTokens.user(id, Fixtures.TENANT).emailVerified(false).sign();
        given().auth().oauth2(unverified).contentType("application/json").body(US).post("/v1/ports").then().statusCode(403)
                .body("code", equalTo("EMAIL_UNVERIFIED"));
        assertEquals(0, ports(verified));
        String key = TestTokens.user(id, Fixtures.TENANT).apiKey(UUID.randomUUID(), "proxy:read").sign();
        given().auth().oauth2(key).contentType("application/json").body(US).post("/v1/ports").then().statusCode(403)
                .body("code", equalTo("INSUFFICIENT_SCOPE"));
        given().auth().oauth2(key).get("/v1/ports").then().statusCode(200);
    }

    @Test
    void credentials_are_checked_changed_and_kept_sealed() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        String id = Fixtures.create(caller, US).then().statusCode(201).extract().path("id");
        String path = "/v1/ports/" + id + "/credentials";
        for (String bad : new String[] {"{\"proxy_login\": \"ab\", \"proxy_password\": \"long-enough-1\"}",
                "{\"proxy_login\": \"" + "a".repeat(33) + "\", \"proxy_password\": \"long-enough-1\"}",
                "{\"proxy_login\": \"bad login\", \"proxy_password\": \"long-enough-1\"}",
                "{\"proxy_login\": \"good_login\", \"proxy_password\": \"short\"}",
                "{\"proxy_login\": \"good_login\", \"proxy_password\": \"" + "p".repeat(65) + "\"}",
                "{\"proxy_login\": \"good_login\"}"}) {
            given().auth().oauth2(caller.token()).contentType("application/json").body(bad).put(path).then().statusCode(400)
                    .body("code", equalTo("VALIDATION_ERROR"));
        }
        String login = "user_" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(caller.token()).contentType("application/json")
                .body("{\"proxy_login\": \"" + login + "\", \"proxy_password\": \"s3cret-Passw0rd\"}").put(path).then().statusCode(200)
                .body("proxy_login", equalTo(login)).body("proxy_password", equalTo("s3cret-Passw0rd"));
        given().auth().oauth2(caller.token()).get("/v1/ports/" + id).then().statusCode(200).body("proxy_login", equalTo(login))
                .body("proxy_password", equalTo("s3cret-Passw0rd"));
        String sealed = Arc.container().instance(Pool.class).get().preparedQuery("select proxy_password_sealed from ports where id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().indefinitely().iterator().next().getString(0);
        assertNotEquals("s3cret-Passw0rd", sealed);
        assertFalse(sealed.contains("s3cret"));

        // another user's live port may not take the same login
        Fixtures.Caller other = Fixtures.user();
        Fixtures.slots(other, 1, 0);
        String theirs = Fixtures.create(other, US).then().statusCode(201).extract().path("id");
        given().auth().oauth2(other.token()).contentType("application/json")
                .body("{\"proxy_login\": \"" + login + "\", \"proxy_password\": \"an0ther-Passw0rd\"}")
                .put("/v1/ports/" + theirs + "/credentials").then().statusCode(409).body("code", equalTo("LOGIN_TAKEN"));
    }

    @Test
    void another_users_port_does_not_exist_for_the_caller() throws Exception {
        Fixtures.Caller owner = Fixtures.user();
        Fixtures.slots(owner, 1, 0);
        String id = Fixtures.create(owner, US).then().statusCode(201).extract().path("id");
        String stranger = Fixtures.user().token();
        for (String path : List.of("", "/status", "/ip", "/can-rotate", "/rotation-history")) {
            given().auth().oauth2(stranger).get("/v1/ports/" + id + path).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        }
        for (String path : List.of("/rotate", "/reset-ip", "/regenerate-rotation-token")) {
            given().auth().oauth2(stranger).post("/v1/ports/" + id + path).then().statusCode(404);
        }
        given().auth().oauth2(stranger).contentType("application/json")
                .body("{\"proxy_login\": \"stolen_login\", \"proxy_password\": \"stolen-passw0rd\"}")
                .put("/v1/ports/" + id + "/credentials").then().statusCode(404);
        given().auth().oauth2(stranger).delete("/v1/ports/" + id).then().statusCode(404);
        given().auth().oauth2(owner.token()).get("/v1/ports/" + id).then().statusCode(200);
        given().auth().oauth2(owner.token()).get("/v1/ports/not-a-port").then().statusCode(404);
    }

    @Test
    void the_list_is_paged_and_filtered_and_status_and_ip_follow_the_device() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        Response made = Fixtures.create(caller, "{\"country_id\": \"GB\", \"expires_in\": 120}");
        String id = made.then().statusCode(201).extract().path("id");
        given().auth().oauth2(caller.token()).get("/v1/ports?country_id=GB&status=active&is_private=false&page_size=1").then()
                .statusCode(200).body("data.size()", equalTo(1)).body("data[0].id", equalTo(id)).body("meta.total", equalTo(1))
                .body("meta.has_more", equalTo(false));
        given().auth().oauth2(caller.token()).get("/v1/ports?country_id=DE").then().statusCode(200).body("meta.total", equalTo(0));
        given().auth().oauth2(caller.token()).get("/v1/ports?status=gone").then().statusCode(400).body("errors[0].field", equalTo("status"));
        given().auth().oauth2(caller.token()).get("/v1/ports?is_private=yes").then().statusCode(400)
                .body("errors[0].field", equalTo("is_private"));
        given().auth().oauth2(caller.token()).get("/v1/ports?page_size=101").then().statusCode(200).body("meta.page_size", equalTo(100));
        given().auth().oauth2(caller.token()).get("/v1/ports/" + id + "/status").then().statusCode(200).body("status", equalTo("active"))
                .body("is_active", equalTo(true)).body("last_checked", notNullValue());
        given().auth().oauth2(caller.token()).get("/v1/ports/" + id + "/ip").then().statusCode(200)
                .body("public_ip", equalTo(made.path("public_ip"))).body("server_ip", equalTo("127.0.0.1"));
    }
}
