package io.tollgate.proxy;

import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rotation settings: the seed's interval bounds, carrier and city matching, excluded devices, and auto-rotation. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class RotationSettingsTest {

    static Response patch(Fixtures.Caller caller, String id, String body) {
        return given().auth().oauth2(caller.token()).contentType("application/json").body(body)
                .patch("/v1/ports/" + id + "/rotation-settings");
    }

    static String carrierOf(String deviceId) {
        return given().auth().oauth2(Fixtures.admin()).get("/v1/admin/proxy/devices/" + deviceId).then().statusCode(200)
                .extract().path("carrier");
    }

    @Test
    void intervals_follow_the_seed_and_bad_settings_change_nothing() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        String id = Fixtures.create(caller, "{\"country_id\": \"FR\", \"expires_in\": 120}").then().statusCode(201).extract().path("id");
        given().auth().oauth2(caller.token()).get("/v1/ports/" + id + "/rotation-settings").then().statusCode(200)
                .body("enabled", equalTo(false)).body("interval_seconds", nullValue()).body("match_carrier", equalTo(false));
        patch(caller, id, "{\"enabled\": true, \"interval_seconds\": 120}").then().statusCode(400)
                .body("errors[0].field", equalTo("interval_seconds"));
        patch(caller, id, "{\"enabled\": true, \"interval_seconds\": 299}").then().statusCode(400);
        patch(caller, id, "{\"enabled\": true, \"interval_seconds\": 86401}").then().statusCode(400);
        patch(caller, id, "{\"enabled\": true}").then().statusCode(400).body("errors[0].field", equalTo("interval_seconds"));
        patch(caller, id, "{\"excluded_device_ids\": [\"nope\"]}").then().statusCode(400);
        given().auth().oauth2(caller.token()).get("/v1/ports/" + id + "/rotation-settings").then().statusCode(200)
                .body("enabled", equalTo(false)).body("interval_seconds", nullValue());
        patch(caller, id, "{\"enabled\": true, \"interval_seconds\": 300, \"match_carrier\": true}").then().statusCode(200)
                .body("enabled", equalTo(true)).body("interval_seconds", equalTo(300)).body("match_carrier", equalTo(true))
                .body("next_rotation_at", notNullValue());
        patch(Fixtures.user(), id, "{\"enabled\": false}").then().statusCode(404);
    }

    @Test
    void rotations_keep_the_carrier_when_asked_never_use_an_excluded_device_and_auto_rotation_runs() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        Response made = Fixtures.create(caller, "{\"country_id\": \"DE\", \"expires_in\": 120}");
        String id = made.then().statusCode(201).extract().path("id");
        String carrier = carrierOf(made.path("device_id"));
        patch(caller, id, "{\"match_carrier\": true}").then().statusCode(200);
        // excluding the other pool devices of this carrier leaves none: the rotation is refused and the port stays
        List<String> sameCarrier = given().auth().oauth2(Fixtures.admin()).get("/v1/admin/proxy/devices?country_id=DE&page_size=100")
                .then().statusCode(200).extract().jsonPath().getList("data.findAll { it.carrier == '" + carrier
                        + "' && !it.is_private && it.id != '" + made.path("device_id") + "' }.id", String.class);
        patch(caller, id, "{\"excluded_device_ids\": [" + String.join(", ", sameCarrier.stream().map(d -> "\"" + d + "\"").toList())
                + "]}").then().statusCode(200).body("excluded_device_ids.size()", equalTo(sameCarrier.size()));
        given().auth().oauth2(caller.token()).post("/v1/ports/" + id + "/rotate").then().statusCode(400)
                .body("code", equalTo("NO_DEVICE_AVAILABLE"));
        given().auth().oauth2(caller.token()).get("/v1/ports/" + id).then().body("device_id", equalTo(made.path("device_id")))
                .body("rotation_count", equalTo(0));

        patch(caller, id, "{\"excluded_device_ids\": []}").then().statusCode(200);
        String moved = given().auth().oauth2(caller.token()).post("/v1/ports/" + id + "/rotate").then().statusCode(200)
                .body("new_device_id", not(equalTo(made.path("device_id")))).extract().path("new_device_id");
        assertEquals(carrier, carrierOf(moved));

        // auto-rotation: its turn comes (the clock moved on in the row) and the history says auto
        Fixtures.Caller auto = Fixtures.user();
        Fixtures.slots(auto, 1, 0);
        String autoId = Fixtures.create(auto, "{\"country_id\": \"US\", \"expires_in\": 120}").then().statusCode(201).extract().path("id");
        patch(auto, autoId, "{\"enabled\": true, \"interval_seconds\": 300}").then().statusCode(200);
        Arc.container().instance(Pool.class).get().preparedQuery("update ports set next_auto_rotation_at = now() where id = $1")
                .execute(Tuple.of(UUID.fromString(autoId))).await().indefinitely();
        Fixtures.until(() -> Integer.valueOf(1).equals(given().auth().oauth2(auto.token()).get("/v1/ports/" + autoId).then()
                .extract().path("rotation_count")), Duration.ofSeconds(30));
        given().auth().oauth2(auto.token()).get("/v1/ports/" + autoId + "/rotation-history").then().statusCode(200)
                .body("data[0].trigger_type", equalTo("auto"));
    }
}
