package io.tollgate.proxy;

import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.proxy.PortRotated;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.proxy.rotation.RotationService;
import io.tollgate.proxy.simulator.DeviceSimulator;
import io.tollgate.proxy.simulator.SimulatedDevice;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A device that stays down loses its ports to other devices: moved once (however many instances
 * try), keeping numbers, credentials and expiry, traffic leaving from the new device, the move in
 * the history as {@code failover} and on Kafka as {@code port.rotated}; a short drop keeps them.
 */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class FailoverTest {

    static JsonPath port(Fixtures.Caller caller, String id) {
        return given().auth().oauth2(caller.token()).get("/v1/ports/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Moves the device's loss back in time, as if it had been down for ten minutes. */
    static void downForTenMinutes(String deviceId) {
        Pool pool = Arc.container().instance(Pool.class).get();
        pool.preparedQuery("update devices set offline_since = now() - interval '10 minutes' where id = $1 and not online")
                .execute(Tuple.of(UUID.fromString(deviceId))).await().indefinitely();
    }

    @Test
    void a_port_leaves_a_device_down_too_long_once_keeping_its_credentials_and_carries_traffic_from_the_new_one() throws Exception {
        DeviceSimulator fleet = Fixtures.fleet();
        DataPlaneTest.Live live = DataPlaneTest.port("GB");
        JsonPath before = port(live.caller(), live.id());
        String oldDevice = before.getString("device_id");
        SimulatedDevice device = RotationTest.deviceOf(fleet, oldDevice);
        fleet.offline(device.spec().imei()).get();
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "proxy.events"); Sink sink = Sink.plain("127.0.0.1")) {
            Fixtures.until(() -> !port(live.caller(), live.id()).getBoolean("is_active"), Duration.ofSeconds(10));
            // down for seconds, not minutes: two instances asking find nothing to move
            RotationService rotations = Arc.container().instance(RotationService.class).get();
            Duration after = Duration.ofMinutes(2);
            assertEquals(Optional.empty(), rotations.failover(UUID.fromString(live.id()), after).await().indefinitely());
            assertEquals(oldDevice, port(live.caller(), live.id()).getString("device_id"));

            downForTenMinutes(oldDevice);
            // two instances racing over the same port, and the scheduler with them: the port moves once
            List<Optional<RotationService.Moved>> raced = Uni.join().all(rotations.failover(UUID.fromString(live.id()), after),
                    rotations.failover(UUID.fromString(live.id()), after)).andFailFast().await().indefinitely();
            assertTrue(raced.stream().filter(Optional::isPresent).count() <= 1, raced.toString());
            raced.stream().flatMap(Optional::stream).forEach(m -> assertEquals(oldDevice, m.oldDeviceId().toString()));
            Fixtures.until(() -> !oldDevice.equals(port(live.caller(), live.id()).getString("device_id")), Duration.ofSeconds(10));

            JsonPath after1 = port(live.caller(), live.id());
            assertNotEquals(oldDevice, after1.getString("device_id"));
            assertTrue(after1.getBoolean("is_active"));
            for (String kept : List.of("proxy_login", "proxy_password", "expires_at", "http_port", "socks_port", "country_id")) {
                assertEquals(before.getString(kept), after1.getString(kept), kept);
            }
            assertEquals(before.getString("city"), after1.getString("city"), "a free device in the same city is taken first");
            SimulatedDevice now = RotationTest.deviceOf(fleet, after1.getString("device_id"));
            assertEquals(now.address(), after1.getString("public_ip"));
            Fixtures.until(() -> {
                try {
                    return now.address().equals(ProxyClients.curl("-x", live.proxy(), "http://127.0.0.1:" + sink.port() + "/ip").body());
                } catch (Exception e) {
                    return false;
                }
            }, Duration.ofSeconds(10));

            given().auth().oauth2(live.caller().token()).get("/v1/ports/" + live.id() + "/rotation-history").then().statusCode(200)
                    .body("meta.total", equalTo(1)).body("data[0].trigger_type", equalTo("failover"))
                    .body("data[0].from_ip", equalTo(before.getString("public_ip"))).body("data[0].to_ip", equalTo(now.address()));
            ConsumerRecord<String, byte[]> event = probe.first(r -> live.id().equals(r.key())
                    && PortRotated.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(20));
            EventSchemas.assertValid(PortRotated.TYPE, event.value());
            assertEquals("failover", JsonPath.from(new String(event.value(), StandardCharsets.UTF_8)).getString("trigger_type"));
        } finally {
            fleet.online(device.spec().imei()).get();
        }
    }

    @Test
    void the_scheduler_moves_the_ports_of_a_device_that_stays_down() throws Exception {
        DeviceSimulator fleet = Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        String id = Fixtures.create(caller, "{\"country_id\": \"FR\", \"expires_in\": 600}").then().statusCode(201).extract().path("id");
        String oldDevice = port(caller, id).getString("device_id");
        SimulatedDevice device = RotationTest.deviceOf(fleet, oldDevice);
        fleet.offline(device.spec().imei()).get();
        try {
            Fixtures.until(() -> !port(caller, id).getBoolean("is_active"), Duration.ofSeconds(10));
            downForTenMinutes(oldDevice);
            Fixtures.until(() -> !oldDevice.equals(port(caller, id).getString("device_id")), Duration.ofSeconds(15));
            given().auth().oauth2(caller.token()).get("/v1/ports/" + id + "/status").then().statusCode(200)
                    .body("is_active", equalTo(true)).body("device_online", equalTo(true));
        } finally {
            fleet.online(device.spec().imei()).get();
        }
    }
}
