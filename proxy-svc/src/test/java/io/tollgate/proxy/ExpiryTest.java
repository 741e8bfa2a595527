package io.tollgate.proxy;

import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.proxy.PortExpired;
import io.tollgate.contracts.proxy.PortExpiring;
import io.tollgate.kit.testing.KafkaProbe;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A day ahead a port is announced as expiring, once; at its end it expires and frees its slot and device place. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class ExpiryTest {

    static int livePorts(String deviceId) {
        return given().auth().oauth2(Fixtures.admin()).get("/v1/admin/proxy/devices/" + deviceId).then().statusCode(200)
                .extract().path("live_ports");
    }

    @Test
    void a_port_is_announced_a_day_ahead_then_expires_and_gives_its_places_back() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "proxy.events")) {
            Response made = Fixtures.create(caller, "{\"country_id\": \"GB\", \"expires_in\": 7200}");
            String id = made.then().statusCode(201).extract().path("id");
            String device = made.path("device_id");
            int before = livePorts(device);
            ConsumerRecord<String, byte[]> expiring = probe.first(r -> id.equals(r.key())
                    && PortExpiring.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(30));
            EventSchemas.assertValid(PortExpiring.TYPE, expiring.value());

            // its time runs out
            Arc.container().instance(Pool.class).get().preparedQuery("update ports set expires_at = now() - interval '1 second' where id = $1")
                    .execute(Tuple.of(UUID.fromString(id))).await().indefinitely();
            Fixtures.until(() -> "expired".equals(given().auth().oauth2(caller.token()).get("/v1/ports/" + id).then().extract().path("status")),
                    Duration.ofSeconds(30));
            given().auth().oauth2(caller.token()).get("/v1/ports?status=active").then().body("meta.total", equalTo(0));
            assertEquals(before - 1, livePorts(device));
            given().auth().oauth2(caller.token()).post("/v1/ports/" + id + "/rotate").then().statusCode(400)
                    .body("code", equalTo("PORT_NOT_ACTIVE"));

            List<ConsumerRecord<String, byte[]>> events = probe.collect(r -> id.equals(r.key())
                    && KafkaProbe.header(r, "ce_type").contains("expir"), Duration.ofSeconds(20), Duration.ofSeconds(2));
            assertEquals(List.of(PortExpired.TYPE), events.stream().map(r -> KafkaProbe.header(r, "ce_type")).toList(),
                    "expiring is said once, then expired");
            EventSchemas.assertValid(PortExpired.TYPE, events.get(0).value());
        }
    }
}
