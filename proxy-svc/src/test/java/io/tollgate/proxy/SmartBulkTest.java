package io.tollgate.proxy;

import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tollgate.kit.faults.Faults;
import io.tollgate.proxy.ports.SmartBulk;
import io.tollgate.proxy.simulator.DeviceSimulator;
import io.tollgate.proxy.simulator.SimulatedDevice;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smart bulk creation as a process: at most three ports per device, the items it cannot make
 * counted with their reason, progress and cancel, and a worker that dies mid-process taken over
 * without an item made twice.
 */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class SmartBulkTest {

    static String body(String country, String carrier, int count) {
        return "{\"country_id\": \"" + country + "\"" + (carrier == null ? "" : ", \"carrier_id\": \"" + carrier + "\"")
                + ", \"expires_in\": 3600, \"count\": " + count + "}";
    }

    /**
     * {@code n} shared devices of a carrier of the test's own in NL, added to the running simulator:
     * what the test counts is not changed by the ports other tests left on the shared fleet.
     */
    static UUID ownDevices(int n) throws Exception {
        DeviceSimulator simulator = Fixtures.fleet();
        String carrier = "Smart-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < n; i++) {
            String imei = "36" + String.format("%013d", ThreadLocalRandom.current().nextLong(10_000_000_000_000L));
            simulator.add(new SimulatedDevice.Spec(imei, "phone", "NL " + carrier + " phone " + (i + 1), "NL", "Amsterdam", carrier,
                    carrier, "204", "99", false)).get(30, TimeUnit.SECONDS);
        }
        return carrier("NL", carrier);
    }

    static UUID carrier(String country, String name) {
        List<Map<String, Object>> carriers = given().get("/v1/proxy/countries/" + country + "/carriers?is_private=false").then()
                .statusCode(200).extract().path("data");
        return carriers.stream().filter(c -> name.equals(c.get("name"))).map(c -> UUID.fromString((String) c.get("id"))).findFirst()
                .orElseThrow(() -> new AssertionError("no carrier " + name + " in " + country + ": " + carriers));
    }

    static JsonPath maxAvailable(Fixtures.Caller caller, String query) {
        return given().auth().oauth2(caller.token()).get("/v1/ports/bulk-smart/max-available?" + query).then().statusCode(200)
                .extract().jsonPath();
    }

    /** The process once it has ended (it is worked in the background). */
    static JsonPath ended(Fixtures.Caller caller, String id) {
        JsonPath[] last = new JsonPath[1];
        Fixtures.until(() -> {
            last[0] = given().auth().oauth2(caller.token()).get("/v1/proxy/processes/" + id).then().statusCode(200).extract().jsonPath();
            return !"running".equals(last[0].getString("status"));
        }, Duration.ofSeconds(30));
        return last[0];
    }

    static int livePortsOn(UUID device) {
        Pool pool = Arc.container().instance(Pool.class).get();
        Row row = pool.preparedQuery("select live_ports from devices where id = $1").execute(Tuple.of(device)).await().indefinitely()
                .iterator().next();
        return row.getInteger("live_ports");
    }

    @Test
    void ports_are_spread_at_most_three_to_a_device_and_what_does_not_fit_is_counted_with_its_reason() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 40, 0);
        UUID own = ownDevices(2);
        JsonPath before = maxAvailable(caller, "country=NL&is_private=false&carrier_id=" + own);
        // two empty devices of a hard limit of five: three places each
        assertEquals(2, before.getInt("devices"), before.prettify());
        assertEquals(6, before.getInt("device_places"));
        assertEquals(3, before.getInt("per_device"));
        assertEquals(40, before.getInt("free_slots"));
        int places = before.getInt("max_available");
        assertEquals(6, places);

        var started = given().auth().oauth2(caller.token()).contentType("application/json").body(body("NL", own.toString(), places + 2))
                .post("/v1/ports/bulk-smart").then().statusCode(202)
                .body("type", equalTo("port_creation")).body("total", equalTo(places + 2)).body("metadata.country_name", equalTo("Netherlands"))
                .extract();
        String id = started.path("id");
        assertEquals("/v1/proxy/processes/" + id, started.header("Location"));
        JsonPath done = ended(caller, id);
        assertEquals("completed", done.getString("status"), done.prettify());
        assertEquals(places, done.getInt("completed"));
        assertEquals(2, done.getInt("failed"));
        assertEquals(100, done.getInt("progress"));
        assertEquals(List.of("NO_DEVICE_AVAILABLE", "NO_DEVICE_AVAILABLE"), done.getList("errors.code"));
        // which two items find no place is not fixed: an item may miss a device whose row is busy at that moment
        // (a heartbeat), and a later item takes the place; two distinct items of the request, each failed once
        List<Integer> failedItems = done.getList("errors.index");
        assertEquals(2, new HashSet<>(failedItems).size(), done.prettify());
        assertTrue(failedItems.stream().allMatch(i -> i >= 0 && i < places + 2), done.prettify());
        assertEquals(places, done.getList("ports").size());
        Set<UUID> devices = new HashSet<>();
        for (String device : done.<String>getList("ports.device_id")) {
            devices.add(UUID.fromString(device));
        }
        assertEquals(2, devices.size(), "spread over both devices");
        for (UUID device : devices) {
            assertEquals(SmartBulk.PER_DEVICE, livePortsOn(device), "device " + device);
        }
        assertEquals(places, PortTest.ports(caller));
        assertEquals(0, maxAvailable(caller, "country=NL&is_private=false&carrier_id=" + own).getInt("max_available"));
        for (String port : done.<String>getList("ports.id")) {
            given().auth().oauth2(caller.token()).get("/v1/ports/" + port).then().statusCode(200).body("country_id", equalTo("NL"))
                    .body("status", equalTo("active"));
        }
        given().auth().oauth2(caller.token()).get("/v1/proxy/processes?status=completed").then().statusCode(200)
                .body("data.id", hasItem(id)).body("meta.total", equalTo(1));
        given().auth().oauth2(caller.token()).post("/v1/proxy/processes/" + id + "/cancel").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("ALREADY_COMPLETED"));
        Fixtures.Caller stranger = Fixtures.user();
        given().auth().oauth2(stranger.token()).get("/v1/proxy/processes/" + id).then().statusCode(404);
        given().auth().oauth2(stranger.token()).post("/v1/proxy/processes/" + id + "/cancel").then().statusCode(404);
        given().auth().oauth2(stranger.token()).get("/v1/proxy/processes").then().statusCode(200).body("meta.total", equalTo(0));
    }

    @Test
    void bad_requests_and_requests_that_cannot_start_make_no_process() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        given().auth().oauth2(caller.token()).contentType("application/json").body(body("DE", null, 51)).post("/v1/ports/bulk-smart")
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("count"));
        given().auth().oauth2(caller.token()).contentType("application/json").body(body("DE", null, 0)).post("/v1/ports/bulk-smart")
                .then().statusCode(400).body("errors.field", hasItem("count"));
        given().auth().oauth2(caller.token()).contentType("application/json").body("{\"country_id\": \"DE\", \"count\": 2}")
                .post("/v1/ports/bulk-smart").then().statusCode(400).body("errors.field", hasItem("expires_in"));
        given().auth().oauth2(caller.token()).get("/v1/ports/bulk-smart/max-available?is_private=false").then().statusCode(400)
                .body("errors.field", hasItem("country"));
        // no slots yet
        given().auth().oauth2(caller.token()).contentType("application/json").body(body("DE", null, 2)).post("/v1/ports/bulk-smart")
                .then().statusCode(409).body("code", equalTo("SLOT_LIMIT_EXCEEDED"));
        Fixtures.slots(caller, 2, 0);
        UUID own = ownDevices(1);
        JsonPath bounded = maxAvailable(caller, "country=NL&is_private=false&carrier_id=" + own);
        assertEquals(2, bounded.getInt("free_slots"));
        assertEquals(3, bounded.getInt("device_places"));
        assertEquals(2, bounded.getInt("max_available"), "bounded by the free slots");
        // a country without devices
        given().auth().oauth2(caller.token()).contentType("application/json").body(body("JP", null, 2)).post("/v1/ports/bulk-smart")
                .then().statusCode(400).body("code", equalTo("NO_DEVICE_AVAILABLE"));
        given().auth().oauth2(caller.token()).get("/v1/proxy/processes").then().statusCode(200).body("meta.total", equalTo(0));
        given().auth().oauth2(caller.token()).get("/v1/proxy/processes?status=paused").then().statusCode(400)
                .body("errors.field", hasItem("status"));
        // none of the refusals took the creation turn: this one starts
        String key = UUID.randomUUID().toString();
        String id = given().auth().oauth2(caller.token()).contentType("application/json").header("Idempotency-Key", key)
                .body(body("NL", own.toString(), 1)).post("/v1/ports/bulk-smart").then().statusCode(202).extract().path("id");
        given().auth().oauth2(caller.token()).contentType("application/json").header("Idempotency-Key", key)
                .body(body("NL", own.toString(), 1)).post("/v1/ports/bulk-smart").then().statusCode(202)
                .header("Idempotent-Replayed", "true").body("id", equalTo(id));
        JsonPath done = ended(caller, id);
        assertEquals(1, done.getInt("completed"), done.prettify());
        given().auth().oauth2(caller.token()).get("/v1/proxy/processes").then().statusCode(200).body("meta.total", equalTo(1))
                .body("data.status", everyItem(equalTo("completed")));
        assertEquals(1, PortTest.ports(caller));
    }

    @Test
    void a_worker_that_dies_mid_process_is_taken_over_and_makes_each_item_once() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 10, 0);
        UUID own = ownDevices(1);
        int count = 3;
        Faults faults = Arc.container().instance(Faults.class).get();
        faults.failNext(SmartBulk.FAULT_ITEM, 1);
        String id = given().auth().oauth2(caller.token()).contentType("application/json").body(body("NL", own.toString(), count))
                .post("/v1/ports/bulk-smart").then().statusCode(202).extract().path("id");
        // the first worker placed a port and died before counting it: the port went with its transaction,
        // and the process waits for its lease to lapse, then the sweep takes it up
        JsonPath done = ended(caller, id);
        assertFalse(faults.disarm(SmartBulk.FAULT_ITEM), "the fault was passed");
        assertEquals("completed", done.getString("status"), done.prettify());
        assertEquals(count, done.getInt("completed"));
        assertEquals(0, done.getInt("failed"));
        assertEquals(count, new HashSet<>(done.getList("ports.id")).size());
        assertEquals(List.of(0, 1, 2), done.getList("ports.index"));
        assertEquals(count, PortTest.ports(caller));
    }

    @Test
    void a_cancel_stops_the_process_before_its_next_item() throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 10, 0);
        UUID own = ownDevices(1);
        Faults faults = Arc.container().instance(Faults.class).get();
        // every worker stops at its first item, so the process cannot move on before the cancel comes
        faults.failNext(SmartBulk.FAULT_ITEM, 1_000);
        String id;
        try {
            id = given().auth().oauth2(caller.token()).contentType("application/json").body(body("NL", own.toString(), 3))
                    .post("/v1/ports/bulk-smart").then().statusCode(202).extract().path("id");
            given().auth().oauth2(caller.token()).get("/v1/proxy/processes/" + id).then().statusCode(200)
                    .body("status", equalTo("running")).body("finished_at", nullValue());
            given().auth().oauth2(caller.token()).post("/v1/proxy/processes/" + id + "/cancel").then().statusCode(200)
                    .body("status", equalTo("cancelled")).body("completed", equalTo(0)).body("finished_at", notNullValue())
                    .body("message", startsWith("Cancelled after 0 of 3"));
        } finally {
            faults.disarm(SmartBulk.FAULT_ITEM);
        }
        // well past the lease and several sweeps, with workers able to work again: a cancelled process stays as it was
        Thread.sleep(4_000);
        given().auth().oauth2(caller.token()).get("/v1/proxy/processes/" + id).then().statusCode(200)
                .body("status", equalTo("cancelled")).body("completed", equalTo(0));
        assertEquals(0, PortTest.ports(caller));
        given().auth().oauth2(caller.token()).post("/v1/proxy/processes/" + id + "/cancel").then().statusCode(409)
                .body("code", equalTo("ALREADY_COMPLETED"));
    }
}
