package io.tollgate.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.proxy.PortRenewalFailed;
import io.tollgate.contracts.proxy.PortRenewed;
import io.tollgate.kit.faults.Faults;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.kit.testing.TestTokens;
import io.tollgate.proxy.ports.PortRenewal;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Auto-renewal: settings validated, a due port renewed once through billing, a refused charge recorded and announced. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
@QuarkusTestResource(StandInBilling.class)
class AutoRenewalTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void fleet() {
        Fixtures.fleet();
    }

    static Response settings(Fixtures.Caller caller, String id) {
        return given().auth().oauth2(caller.token()).get("/v1/ports/" + id + "/auto-renewal");
    }

    static Response patch(Fixtures.Caller caller, String id, String body) {
        return given().auth().oauth2(caller.token()).contentType("application/json").body(body).patch("/v1/ports/" + id + "/auto-renewal");
    }

    static String port(Fixtures.Caller caller) throws Exception {
        Fixtures.slots(caller, 1, 0);
        return Fixtures.create(caller, "{\"country_id\": \"US\", \"expires_in\": 7200}").then().statusCode(201).extract().path("id");
    }

    static Instant expiresAt(Fixtures.Caller caller, String id) {
        return Instant.parse(settings(caller, id).then().statusCode(200).extract().<String>path("expires_at"));
    }

    /** The port's end comes within the renewal lead (1 h): it is due. */
    static void due(String id) {
        Arc.container().instance(Pool.class).get().preparedQuery("update ports set expires_at = now() + interval '30 minutes' where id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().indefinitely();
    }

    static String billing() {
        return ConfigProvider.getConfig().getValue("tollgate.proxy.billing-url", String.class);
    }

    static JsonNode billed(String id) {
        return JSON.valueToTree(given().baseUri(billing()).get("/control/ports/" + id).then().statusCode(200).extract().as(java.util.Map.class));
    }

    static void balance(Fixtures.Caller caller, long minor) {
        given().baseUri(billing()).body(Long.toString(minor)).post("/control/balances/" + caller.id()).then().statusCode(204);
    }

    static int total(Fixtures.Caller caller, String id) {
        return settings(caller, id).then().extract().path("total_auto_renewals");
    }

    @Test
    void settings_are_validated_and_refused_input_changes_nothing_and_another_users_port_is_404() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        String id = port(caller);
        Instant ends = expiresAt(caller, id);
        settings(caller, id).then().statusCode(200).body("enabled", equalTo(false)).body("source", equalTo("balance"))
                .body("renewal_days", equalTo(30)).body("next_renewal_at", nullValue()).body("failed_attempts", equalTo(0))
                .body("total_auto_renewals", equalTo(0)).body("max_attempts", equalTo(3));

        for (String bad : List.of("{\"renewal_days\": 0}", "{\"renewal_days\": 366}", "{\"renewal_days\": -1}", "{\"renewal_days\": \"30\"}",
                "{\"renewal_days\": 1.5}", "{\"enabled\": \"yes\"}", "{\"source\": \"card\"}", "[]", "{\"enabled\": true, \"renewalDays\": 7}",
                "{\"enabled\": true, \"colour\": \"red\"}")) {
            patch(caller, id, bad).then().statusCode(400).contentType("application/problem+json").body("code", equalTo("VALIDATION_ERROR"));
        }
        patch(caller, id, "{\"renewal_days\": 366}").then().body("errors[0].field", equalTo("renewal_days"));
        patch(caller, id, "{\"enabled\": true, \"renewalDays\": 7}").then().body("errors[0].field", equalTo("renewalDays"));
        // a card cannot keep a port at its end: refused, with what to do instead
        patch(caller, id, "{\"enabled\": true, \"source\": \"stripe\"}").then().statusCode(422).contentType("application/problem+json")
                .body("code", equalTo("RENEWAL_SOURCE_UNAVAILABLE"));

        // another user's port, a key that may only read, and no caller at all
        Fixtures.Caller stranger = Fixtures.user();
        settings(stranger, id).then().statusCode(404).contentType("application/problem+json");
        patch(stranger, id, "{\"enabled\": true}").then().statusCode(404).contentType("application/problem+json");
        settings(caller, UUID.randomUUID().toString()).then().statusCode(404);
        settings(caller, "not-an-id").then().statusCode(404);
        String reader = TestTokens.user(caller.id(), Fixtures.TENANT).apiKey(UUID.randomUUID(), "proxy:read").sign();
        given().auth().oauth2(reader).contentType("application/json").body("{\"enabled\": true}").patch("/v1/ports/" + id + "/auto-renewal")
                .then().statusCode(403).body("code", equalTo("INSUFFICIENT_SCOPE"));
        given().auth().oauth2(reader).get("/v1/ports/" + id + "/auto-renewal").then().statusCode(200);
        given().contentType("application/json").body("{\"enabled\": true}").patch("/v1/ports/" + id + "/auto-renewal").then().statusCode(401);
        settings(caller, id).then().body("enabled", equalTo(false)).body("renewal_days", equalTo(30));

        // on: the next attempt is an hour before the end; the same request twice under one key answers once
        String key = UUID.randomUUID().toString();
        for (int i = 0; i < 2; i++) {
            Response changed = given().auth().oauth2(caller.token()).contentType("application/json").header("Idempotency-Key", key)
                    .body("{\"enabled\": true, \"renewal_days\": 7}").patch("/v1/ports/" + id + "/auto-renewal");
            changed.then().statusCode(200).body("enabled", equalTo(true)).body("renewal_days", equalTo(7))
                    .body("next_renewal_at", equalTo(ends.minus(Duration.ofHours(1)).toString()));
            assertEquals(i == 1, "true".equals(changed.header("Idempotent-Replayed")));
        }
        patch(caller, id, "{\"enabled\": false}").then().statusCode(200).body("enabled", equalTo(false)).body("renewal_days", equalTo(7))
                .body("next_renewal_at", nullValue());
        assertEquals(ends, expiresAt(caller, id));
    }

    @Test
    void a_due_port_is_renewed_exactly_once_by_billing_even_with_two_scanners_racing() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        String id = port(caller);
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "proxy.events")) {
            patch(caller, id, "{\"enabled\": true, \"renewal_days\": 7}").then().statusCode(200);
            due(id);
            Instant before = expiresAt(caller, id);
            // two scanners at once, besides this instance's own schedule
            PortRenewal scanner = Arc.container().instance(PortRenewal.class).get();
            List<Integer> claimed = Uni.join().all(scanner.renewDue(), scanner.renewDue()).andFailFast().await().atMost(Duration.ofSeconds(30));
            assertTrue(claimed.stream().mapToInt(Integer::intValue).sum() <= 1, "one port claimed twice: " + claimed);
            Fixtures.until(() -> total(caller, id) == 1, Duration.ofSeconds(30));

            Instant after = before.plus(Duration.ofDays(7));
            settings(caller, id).then().body("expires_at", equalTo(after.toString())).body("total_auto_renewals", equalTo(1))
                    .body("failed_attempts", equalTo(0)).body("next_renewal_at", equalTo(after.minus(Duration.ofHours(1)).toString()))
                    .body("last_renewed_at", org.hamcrest.Matchers.notNullValue());
            given().auth().oauth2(caller.token()).get("/v1/ports/" + id).then().body("expires_at", equalTo(after.toString()));
            JsonNode billed = billed(id);
            assertEquals(1, billed.path("requests").asInt(), "billing was asked more than once: " + billed);
            assertEquals(1, billed.path("charges").asInt());

            List<ConsumerRecord<String, byte[]>> renewed = probe.collect(r -> id.equals(r.key())
                    && PortRenewed.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(20), Duration.ofSeconds(2));
            assertEquals(1, renewed.size(), "port.renewed once");
            EventSchemas.assertValid(PortRenewed.TYPE, renewed.get(0).value());
            JsonNode event = JSON.readTree(renewed.get(0).value());
            assertEquals(7, event.path("days").asInt());
            assertEquals(70, event.path("charged_minor").asLong());
            assertEquals(after, Instant.parse(event.path("expires_at").asText()));
            assertEquals(before, Instant.parse(event.path("previous_expires_at").asText()));
            assertEquals(1, event.path("total_auto_renewals").asInt());
        }
    }

    @Test
    void a_refused_charge_is_recorded_and_announced_and_renewal_stops_after_the_last_attempt() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        String id = port(caller);
        balance(caller, 0);
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "proxy.events")) {
            patch(caller, id, "{\"enabled\": true, \"renewal_days\": 7}").then().statusCode(200);
            due(id);
            Instant ends = expiresAt(caller, id);
            Fixtures.until(() -> settings(caller, id).then().extract().<Integer>path("failed_attempts") == 3, Duration.ofSeconds(30));
            settings(caller, id).then().body("last_failure_reason", equalTo("INSUFFICIENT_BALANCE")).body("total_auto_renewals", equalTo(0))
                    .body("next_renewal_at", nullValue()).body("expires_at", equalTo(ends.toString()))
                    .body("last_failed_at", org.hamcrest.Matchers.notNullValue());

            List<ConsumerRecord<String, byte[]>> failed = probe.collect(r -> id.equals(r.key())
                    && PortRenewalFailed.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(20), Duration.ofSeconds(3));
            assertEquals(3, failed.size(), "one port.renewal_failed per attempt, and no attempt after the third");
            for (int i = 0; i < 3; i++) {
                EventSchemas.assertValid(PortRenewalFailed.TYPE, failed.get(i).value());
                JsonNode event = JSON.readTree(failed.get(i).value());
                assertEquals("INSUFFICIENT_BALANCE", event.path("reason").asText());
                assertEquals(70, event.path("required_minor").asLong());
                assertEquals(0, event.path("available_minor").asLong());
                assertEquals(i + 1, event.path("failed_attempts").asInt());
                assertEquals(i < 2, event.path("will_retry").asBoolean());
            }
            assertEquals(3, billed(id).path("requests").asInt());
            assertEquals(0, billed(id).path("charges").asInt());
            assertFalse(probe.collect(r -> id.equals(r.key()) && PortRenewed.TYPE.equals(KafkaProbe.header(r, "ce_type")),
                    Duration.ofSeconds(1), Duration.ofSeconds(1)).size() > 0);

            // topped up and turned on again: the attempts start afresh and the same period is charged
            balance(caller, 1_000);
            patch(caller, id, "{\"enabled\": true}").then().statusCode(200).body("failed_attempts", equalTo(0));
            Fixtures.until(() -> total(caller, id) == 1, Duration.ofSeconds(30));
            assertEquals(ends.plus(Duration.ofDays(7)), expiresAt(caller, id));
            assertEquals(1, billed(id).path("charges").asInt());
        }
    }

    @Test
    void a_charge_asked_again_after_a_failure_past_billing_is_replayed_not_charged_twice() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        String id = port(caller);
        // billing charges, then proxy fails before it writes the renewal
        Arc.container().instance(Faults.class).get().failNext(PortRenewal.FAULT_AFTER_CHARGE, 1);
        patch(caller, id, "{\"enabled\": true, \"renewal_days\": 3}").then().statusCode(200);
        due(id);
        Instant before = expiresAt(caller, id);
        Fixtures.until(() -> total(caller, id) == 1, Duration.ofSeconds(30));
        assertEquals(before.plus(Duration.ofDays(3)), expiresAt(caller, id));
        JsonNode billed = billed(id);
        assertEquals(2, billed.path("requests").asInt(), "asked again with the same key: " + billed);
        assertEquals(1, billed.path("charges").asInt(), "charged once: " + billed);
        assertFalse(Arc.container().instance(Faults.class).get().disarm(PortRenewal.FAULT_AFTER_CHARGE), "the fault was passed");
    }
}
