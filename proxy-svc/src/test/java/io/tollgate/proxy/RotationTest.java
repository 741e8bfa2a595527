package io.tollgate.proxy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.contracts.EventSchemas;
import io.tollgate.contracts.proxy.PortRotated;
import io.tollgate.kit.testing.KafkaProbe;
import io.tollgate.proxy.simulator.DeviceSimulator;
import io.tollgate.proxy.simulator.SimulatedDevice;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Rotation: by device switch, by airplane mode, through the public link; their limits and history. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class RotationTest {

    /** The simulated device a port runs on, found by the device id through the admin API. */
    static SimulatedDevice deviceOf(DeviceSimulator fleet, String deviceId) {
        String imei = given().auth().oauth2(Fixtures.admin()).get("/v1/admin/proxy/devices/" + deviceId).then().statusCode(200)
                .extract().path("imei");
        return fleet.device(imei).orElseThrow();
    }

    static Response port(Fixtures.Caller caller, String body) throws Exception {
        return Fixtures.create(caller, body).then().statusCode(201).extract().response();
    }

    @Test
    void a_rotation_moves_the_port_to_another_device_keeping_credentials_and_expiry() throws Exception {
        DeviceSimulator fleet = Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        Response made = port(caller, "{\"country_id\": \"US\", \"expires_in\": 120}");
        String id = made.path("id");
        given().auth().oauth2(caller.token()).get("/v1/ports/" + id + "/can-rotate").then().statusCode(200)
                .body("can_rotate", equalTo(true)).body("available_devices", greaterThan(0));
        try (KafkaProbe probe = new KafkaProbe(KafkaProbe.bootstrap(), "proxy.events")) {
            Response rotated = given().auth().oauth2(caller.token()).post("/v1/ports/" + id + "/rotate");
            rotated.then().statusCode(200).body("success", equalTo(true)).body("old_device_id", equalTo(made.path("device_id")))
                    .body("new_device_id", not(equalTo(made.path("device_id")))).body("old_ip", equalTo(made.path("public_ip")))
                    .body("rotation_count", equalTo(1)).body("rotation_type", equalTo("device_switch"));
            SimulatedDevice now = deviceOf(fleet, rotated.path("new_device_id"));
            assertEquals(now.address(), (String) rotated.path("new_ip"), "the new address is the one the new device forwards from");
            assertEquals(now.address(), DeviceSimulatorTest.seenThrough(now));
            assertNotEquals((String) made.path("public_ip"), (String) rotated.path("new_ip"));

            given().auth().oauth2(caller.token()).get("/v1/ports/" + id).then().statusCode(200)
                    .body("public_ip", equalTo(now.address())).body("proxy_login", equalTo(made.path("proxy_login")))
                    .body("proxy_password", equalTo(made.path("proxy_password"))).body("expires_at", equalTo(made.path("expires_at")))
                    .body("http_port", equalTo(made.path("http_port"))).body("rotation_count", equalTo(1));

            // the next one within 5 min is refused, and so says can-rotate
            given().auth().oauth2(caller.token()).post("/v1/ports/" + id + "/rotate").then().statusCode(429)
                    .contentType("application/problem+json").body("code", equalTo("RATE_LIMITED"))
                    .header("Retry-After", matchesPattern("^[0-9]+$"));
            given().auth().oauth2(caller.token()).get("/v1/ports/" + id + "/can-rotate").then().statusCode(200)
                    .body("can_rotate", equalTo(false)).body("retry_after_seconds", greaterThan(200));
            given().auth().oauth2(caller.token()).get("/v1/ports/" + id + "/rotation-history").then().statusCode(200)
                    .body("meta.total", equalTo(1)).body("data[0].trigger_type", equalTo("manual"))
                    .body("data[0].from_ip", equalTo(made.path("public_ip"))).body("data[0].to_ip", equalTo(now.address()))
                    .body("data[0].success", equalTo(true)).body("data[0].country", equalTo("US"));

            ConsumerRecord<String, byte[]> event = probe.first(r -> id.equals(r.key())
                    && PortRotated.TYPE.equals(KafkaProbe.header(r, "ce_type")), Duration.ofSeconds(20));
            EventSchemas.assertValid(PortRotated.TYPE, event.value());
        }
    }

    @Test
    void the_public_link_rotates_then_keeps_the_cooldown_and_a_new_link_replaces_it() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        Response made = port(caller, "{\"country_id\": \"DE\", \"expires_in\": 120}");
        String token = made.path("rotation_token");
        given().get("/v1/rotate/" + token).then().statusCode(200).body("success", equalTo(true))
                .body("rotation_type", equalTo("device_switch")).body("port_name", equalTo(made.path("name")))
                .body("cooldown_seconds", equalTo(300)).body("new_ip", notNullValue());
        given().get("/v1/rotate/" + token).then().statusCode(429).body("code", equalTo("RATE_LIMITED"))
                .body("cooldown_seconds", equalTo(300)).header("Retry-After", notNullValue());
        given().auth().oauth2(caller.token()).get("/v1/ports/" + made.path("id") + "/rotation-history").then().statusCode(200)
                .body("data[0].trigger_type", equalTo("token"));
        String fresh = given().auth().oauth2(caller.token()).post("/v1/ports/" + made.path("id") + "/regenerate-rotation-token").then()
                .statusCode(200).body("rotation_token", matchesPattern("^[0-9a-f]{32}$"))
                .body("rotation_url", matchesPattern("^http.*/v1/rotate/[0-9a-f]{32}$")).extract().path("rotation_token");
        given().get("/v1/rotate/" + token).then().statusCode(404);
        given().get("/v1/rotate/" + fresh).then().statusCode(429).body("cooldown_seconds", equalTo(300));
    }

    @Test
    void the_public_link_takes_ten_calls_a_minute() {
        String unknown = UUID.randomUUID().toString().replace("-", "");
        for (int i = 0; i < 10; i++) {
            given().get("/v1/rotate/" + unknown).then().statusCode(404);
        }
        given().get("/v1/rotate/" + unknown).then().statusCode(429).header("Retry-After", matchesPattern("^[0-9]+$"));
        given().get("/v1/rotate/not-a-token").then().statusCode(404);
    }

    @Test
    void a_private_port_gets_a_new_address_from_its_own_device() throws Exception {
        DeviceSimulator fleet = Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 0, 1);
        // a private device takes one port: a country that has one free now
        String country = given().get("/v1/proxy/countries?is_private=true").then().statusCode(200).extract().jsonPath()
                .getString("data.find { it.free_device_count > 0 }.code");
        Response made = port(caller, "{\"country_id\": \"" + country + "\", \"expires_in\": 120, \"is_private\": true}");
        made.then().body("name", matchesPattern("^tg_prvt_.*"));
        String id = made.path("id");
        SimulatedDevice device = deviceOf(fleet, made.path("device_id"));
        Response reset = given().auth().oauth2(caller.token()).post("/v1/ports/" + id + "/reset-ip");
        reset.then().statusCode(200).body("rotation_type", equalTo("airplane_mode")).body("old_ip", equalTo(made.path("public_ip")))
                .body("new_device_id", equalTo(made.path("device_id"))).body("rotation_count", equalTo(1));
        assertEquals(device.address(), (String) reset.path("new_ip"));
        assertNotEquals((String) made.path("public_ip"), (String) reset.path("new_ip"));
        assertEquals(device.address(), DeviceSimulatorTest.seenThrough(device));
        given().auth().oauth2(caller.token()).post("/v1/ports/" + id + "/reset-ip").then().statusCode(429)
                .header("Retry-After", notNullValue());
        // the link of a private port resets the address too, with the private cooldown
        given().get("/v1/rotate/" + made.path("rotation_token")).then().statusCode(200).body("rotation_type", equalTo("airplane_mode"))
                .body("cooldown_seconds", equalTo(60));
        given().get("/v1/rotate/" + made.path("rotation_token")).then().statusCode(429).body("cooldown_seconds", equalTo(60));

        Fixtures.Caller shared = Fixtures.user();
        Fixtures.slots(shared, 1, 0);
        String pool = port(shared, "{\"country_id\": \"GB\", \"expires_in\": 120}").path("id");
        given().auth().oauth2(shared.token()).post("/v1/ports/" + pool + "/reset-ip").then().statusCode(400)
                .body("code", equalTo("NOT_PRIVATE"));
        given().auth().oauth2(caller.token()).delete("/v1/ports/" + id).then().statusCode(200);
        given().auth().oauth2(shared.token()).delete("/v1/ports/" + pool).then().statusCode(200);
    }
}
