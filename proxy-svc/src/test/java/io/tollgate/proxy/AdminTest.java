package io.tollgate.proxy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/** Servers and devices for platform administrators; everyone else is refused. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class AdminTest {

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String imei() {
        return "99" + String.format("%013d", ThreadLocalRandom.current().nextLong(10_000_000_000_000L));
    }

    static String server(String name, int base) {
        return "{\"name\": \"" + name + "\", \"ip\": \"10.0.0.7\", \"http_port_range\": {\"start\": " + base + ", \"end\": " + (base + 99)
                + "}, \"socks_port_range\": {\"start\": " + (base + 100) + ", \"end\": " + (base + 199) + "}}";
    }

    @Test
    void servers_are_created_read_changed_and_removed_by_administrators() {
        String admin = Fixtures.admin();
        String name = unique("node");
        String id = given().auth().oauth2(admin).contentType("application/json").body(server(name, 40000)).post("/v1/admin/proxy/servers")
                .then().statusCode(201).body("name", equalTo(name)).body("http_port_range.start", equalTo(40000))
                .body("socks_port_range.end", equalTo(40199)).body("default_max_conn", equalTo(100)).body("default_conn_lim", equalTo(50))
                .body("soft_max_ports_per_device", equalTo(3)).body("max_ports_per_device", equalTo(5)).body("status", equalTo("active"))
                .extract().path("id");
        given().auth().oauth2(admin).contentType("application/json").body(server(name, 41000)).post("/v1/admin/proxy/servers")
                .then().statusCode(409).body("code", equalTo("SERVER_NAME_TAKEN"));

        // bad input changes nothing
        String bad = unique("node");
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\": \"" + bad + "\", \"ip\": \"10.0.0.8\", \"http_port_range\": {\"start\": 5000, \"end\": 4000},"
                        + " \"socks_port_range\": {\"start\": 6000, \"end\": 6100}}")
                .post("/v1/admin/proxy/servers").then().statusCode(400).body("code", equalTo("VALIDATION_ERROR"))
                .body("errors[0].field", equalTo("http_port_range.end"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\": \"" + bad + "\", \"ip\": \"10.0.0.8\", \"http_port_range\": {\"start\": 80, \"end\": 90},"
                        + " \"socks_port_range\": {\"start\": 6000, \"end\": 6100}}")
                .post("/v1/admin/proxy/servers").then().statusCode(400).body("code", equalTo("VALIDATION_ERROR"));
        given().auth().oauth2(admin).contentType("application/json")
                .body(server(bad, 42000).replace("10.0.0.7", "not an address")).post("/v1/admin/proxy/servers")
                .then().statusCode(400);
        given().auth().oauth2(admin).get("/v1/admin/proxy/servers?page_size=100").then().statusCode(200)
                .body("data.name", hasItem(name)).body("data.name", not(hasItem(bad)));

        given().auth().oauth2(admin).contentType("application/json").body(server(name, 43000).replace("10.0.0.7", "10.0.0.9"))
                .put("/v1/admin/proxy/servers/" + id).then().statusCode(200).body("ip", equalTo("10.0.0.9"))
                .body("http_port_range.start", equalTo(43000));
        given().auth().oauth2(admin).get("/v1/admin/proxy/servers/" + id).then().statusCode(200).body("ip", equalTo("10.0.0.9"));
        given().auth().oauth2(admin).delete("/v1/admin/proxy/servers/" + id).then().statusCode(200);
        given().auth().oauth2(admin).get("/v1/admin/proxy/servers/" + id).then().statusCode(404);
        given().auth().oauth2(admin).get("/v1/admin/proxy/servers/not-an-id").then().statusCode(404);
    }

    @Test
    void devices_follow_the_seeds_create_device_dto_and_show_their_online_state() {
        String admin = Fixtures.admin();
        String serverId = given().auth().oauth2(admin).contentType("application/json").body(server(unique("node"), 44000))
                .post("/v1/admin/proxy/servers").then().statusCode(201).extract().path("id");
        String imei = imei();
        String body = "{\"type\": \"modem\", \"name\": \"Rack 4 modem\", \"imei\": \"" + imei + "\", \"server_id\": \"" + serverId
                + "\", \"status\": \"maintenance\", \"country_id\": \"PL\", \"city\": \"Warsaw\", \"carrier\": \"Play\","
                + " \"mcc\": \"260\", \"mnc\": \"06\", \"is_private\": true}";
        String id = given().auth().oauth2(admin).contentType("application/json").body(body).post("/v1/admin/proxy/devices")
                .then().statusCode(201).body("imei", equalTo(imei)).body("type", equalTo("modem")).body("country_id", equalTo("PL"))
                .body("city", equalTo("Warsaw")).body("carrier", equalTo("Play")).body("is_private", equalTo(true))
                .body("status", equalTo("maintenance")).body("state", equalTo("offline")).body("online", equalTo(false))
                .body("uptime_seconds", nullValue()).extract().path("id");
        given().auth().oauth2(admin).contentType("application/json").body(body).post("/v1/admin/proxy/devices")
                .then().statusCode(409).body("code", equalTo("IMEI_TAKEN"));
        for (String broken : new String[] {body.replace(imei, "12345"), body.replace("\"modem\"", "\"tablet\""),
                body.replace("\"PL\"", "\"pl\""), body.replace("maintenance", "broken"), body.replace(serverId, UUID.randomUUID().toString()),
                body.replace("\"PL\"", "\"ZZ\"")}) {
            given().auth().oauth2(admin).contentType("application/json").body(broken.replace(imei, imei())).post("/v1/admin/proxy/devices")
                    .then().statusCode(400).body("code", equalTo("VALIDATION_ERROR"));
        }
        given().auth().oauth2(admin).get("/v1/admin/proxy/devices?country_id=PL&page_size=100").then().statusCode(200)
                .body("data.imei", hasItem(imei)).body("data.size()", equalTo(1));

        given().auth().oauth2(admin).contentType("application/json").body("{\"status\": \"active\", \"name\": \"Rack 4 modem A\"}")
                .patch("/v1/admin/proxy/devices/" + id).then().statusCode(200).body("status", equalTo("active"))
                .body("name", equalTo("Rack 4 modem A")).body("city", equalTo("Warsaw"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"status\": \"gone\"}")
                .patch("/v1/admin/proxy/devices/" + id).then().statusCode(400);
        given().auth().oauth2(admin).delete("/v1/admin/proxy/servers/" + serverId).then().statusCode(409)
                .body("code", equalTo("SERVER_IN_USE"));
        given().auth().oauth2(admin).delete("/v1/admin/proxy/devices/" + id).then().statusCode(200);
        given().auth().oauth2(admin).get("/v1/admin/proxy/devices/" + id).then().statusCode(404);
        given().auth().oauth2(admin).delete("/v1/admin/proxy/servers/" + serverId).then().statusCode(200);
    }

    @Test
    void the_simulated_fleet_shows_online_with_uptime_and_last_check() {
        Fixtures.fleet();
        given().auth().oauth2(Fixtures.admin()).get("/v1/admin/proxy/devices?country_id=FR&online=true&page_size=100").then()
                .statusCode(200).body("data.size()", greaterThanOrEqualTo(9)).body("data[0].state", equalTo("online"))
                .body("data[0].uptime_seconds", notNullValue()).body("data[0].last_checked", notNullValue())
                .body("data[0].public_ip", notNullValue());
    }

    @Test
    void only_platform_administrators_get_in() {
        UUID user = UUID.randomUUID();
        given().auth().oauth2(TestTokens.user(user, Fixtures.TENANT).sign()).get("/v1/admin/proxy/devices").then().statusCode(403)
                .body("code", equalTo("ADMIN_ONLY"));
        given().auth().oauth2(TestTokens.user(user, Fixtures.TENANT).roles("admin").apiKey(UUID.randomUUID(), "proxy:read").sign())
                .get("/v1/admin/proxy/servers").then().statusCode(403).body("code", equalTo("JWT_ONLY"));
        given().get("/v1/admin/proxy/servers").then().statusCode(401);
    }
}
