package io.tollgate.proxy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tollgate.proxy.simulator.DeviceSimulator;
import io.tollgate.proxy.simulator.SimulatedDevice;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A ping through the port's device, replacing a port off an offline device, and reconfiguring it elsewhere. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class MovesTest {

    static Response get(Fixtures.Caller caller, String path) {
        return given().auth().oauth2(caller.token()).get(path);
    }

    static Response post(Fixtures.Caller caller, String path, String body) {
        return given().auth().oauth2(caller.token()).contentType("application/json").body(body).post(path);
    }

    @Test
    void a_port_on_an_offline_device_is_replaced_within_its_city_and_a_ping_tells() throws Exception {
        DeviceSimulator fleet = Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        Response made = Fixtures.create(caller, "{\"country_id\": \"FR\", \"expires_in\": 120}");
        String id = made.then().statusCode(201).extract().path("id");
        get(caller, "/v1/ports/" + id + "/ping").then().statusCode(200).body("success", equalTo(true))
                .body("ip", equalTo(made.path("public_ip"))).body("response_time", greaterThanOrEqualTo(0));
        post(caller, "/v1/ports/" + id + "/replace", "").then().statusCode(409).body("code", equalTo("DEVICE_ONLINE"));

        SimulatedDevice device = RotationTest.deviceOf(fleet, made.path("device_id"));
        fleet.offline(device.spec().imei()).get();
        try {
            get(caller, "/v1/ports/" + id + "/status").then().statusCode(200).body("is_active", equalTo(false))
                    .body("device_online", equalTo(false));
            get(caller, "/v1/ports/" + id + "/ping").then().statusCode(200).body("success", equalTo(false)).body("error", notNullValue());
            String city = made.path("city");
            Response replaced = post(caller, "/v1/ports/" + id + "/replace", "");
            replaced.then().statusCode(200).body("old_device_id", equalTo(made.path("device_id")))
                    .body("new_device_id", not(equalTo(made.path("device_id"))));
            get(caller, "/v1/ports/" + id).then().statusCode(200).body("city", equalTo(city)).body("is_active", equalTo(true))
                    .body("proxy_password", equalTo(made.path("proxy_password"))).body("expires_at", equalTo(made.path("expires_at")));
        } finally {
            fleet.online(device.spec().imei()).get();
        }
    }

    @Test
    void a_port_is_reconfigured_elsewhere_keeping_its_time_three_times_in_two_minutes() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        Response made = Fixtures.create(caller, "{\"country_id\": \"US\", \"expires_in\": 120}");
        String id = made.then().statusCode(201).extract().path("id");
        String path = "/v1/ports/" + id + "/reconfigure";
        // refused input changes nothing and takes no turn; a refused slot is a request like any, the first of three
        post(caller, path, "{\"country_id\": \"de\"}").then().statusCode(400).body("errors[0].field", equalTo("country_id"));
        post(caller, path, "{\"country_id\": \"DE\", \"city_id\": \"" + UUID.randomUUID() + "\"}").then().statusCode(400)
                .body("errors[0].field", equalTo("city_id"));
        post(caller, path, "{\"country_id\": \"DE\", \"is_private\": true}").then().statusCode(409)
                .body("code", equalTo("SLOT_LIMIT_EXCEEDED"));
        get(caller, "/v1/ports/" + id).then().body("country_id", equalTo("US"));

        for (String country : new String[] {"GB", "FR"}) {
            post(caller, path, "{\"country_id\": \"" + country + "\"}").then().statusCode(200).body("success", equalTo(true));
            get(caller, "/v1/ports/" + id).then().statusCode(200).body("country_id", equalTo(country))
                    .body("expires_at", equalTo(made.path("expires_at"))).body("proxy_login", equalTo(made.path("proxy_login")))
                    .body("http_port", equalTo(made.path("http_port")));
        }
        post(caller, path, "{\"country_id\": \"DE\"}").then().statusCode(429).header("Retry-After", notNullValue());
        assertEquals("FR", get(caller, "/v1/ports/" + id).then().extract().path("country_id"));
        post(Fixtures.user(), path, "{\"country_id\": \"DE\"}").then().statusCode(404);
    }
}
