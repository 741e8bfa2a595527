package io.tollgate.proxy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tollgate.kit.testing.TestTokens;
import io.tollgate.proxy.simulator.DeviceSimulator;
import io.tollgate.proxy.simulator.SimulatedDevice;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulated devices are real endpoints: each forwards through a tunnel on its own loopback
 * address, so a target sees that address; each registers and heartbeats through the agent API
 * with a service token, and goes offline and back on demand.
 */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class DeviceSimulatorTest {

    /** What a target sees: a local server that answers each connection with the caller's address. */
    static String seenThrough(SimulatedDevice device) throws Exception {
        try (ServerSocket origin = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = origin.accept(); OutputStream out = s.getOutputStream()) {
                    out.write((s.getInetAddress().getHostAddress() + "\n").getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // the test fails on the missing answer
                }
            });
            try (Socket tunnel = new Socket()) {
                tunnel.connect(new InetSocketAddress(device.address(), device.tunnelPort()), 3000);
                tunnel.setSoTimeout(5000);
                tunnel.getOutputStream().write(("CONNECT 127.0.0.1:" + origin.getLocalPort() + " HTTP/1.1\r\nHost: 127.0.0.1:"
                        + origin.getLocalPort() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                BufferedReader in = new BufferedReader(new InputStreamReader(tunnel.getInputStream(), StandardCharsets.US_ASCII));
                String status = in.readLine();
                assertTrue(status.startsWith("HTTP/1.1 200"), status);
                in.readLine();
                return in.readLine();
            }
        }
    }

    @Test
    void every_device_has_its_own_address_and_a_target_sees_it() throws Exception {
        DeviceSimulator fleet = Fixtures.fleet();
        // the 36 of the fleet, and those other tests added to it (a carrier of their own each)
        int devices = fleet.devices().size();
        assertTrue(devices >= 36, "the fleet has " + devices + " devices");
        Set<String> addresses = fleet.devices().stream().map(SimulatedDevice::address).collect(Collectors.toSet());
        assertEquals(devices, addresses.size(), "each device has an address of its own");
        assertTrue(fleet.devices().stream().map(d -> d.spec().country()).collect(Collectors.toSet()).size() >= 4);
        assertTrue(fleet.devices().stream().map(d -> d.spec().carrier()).collect(Collectors.toSet()).size() >= 12);
        SimulatedDevice device = fleet.devices().get(5);
        assertEquals(device.address(), seenThrough(device));
        given().auth().oauth2(Fixtures.admin()).get("/v1/admin/proxy/devices?country_id=" + device.spec().country() + "&page_size=100")
                .then().statusCode(200).body("data.find { it.imei == '" + device.spec().imei() + "' }.public_ip", equalTo(device.address()));
    }

    @Test
    void a_device_goes_offline_and_comes_back_on_demand() throws Exception {
        DeviceSimulator fleet = Fixtures.fleet();
        SimulatedDevice device = fleet.devices().get(31);
        String admin = Fixtures.admin();
        String path = "/v1/admin/proxy/devices?country_id=" + device.spec().country() + "&page_size=100";
        String state = "data.find { it.imei == '" + device.spec().imei() + "' }.state";
        fleet.offline(device.spec().imei()).get();
        given().auth().oauth2(admin).get(path).then().statusCode(200).body(state, equalTo("offline"));
        assertEquals(0, device.tunnelPort());
        fleet.online(device.spec().imei()).get();
        given().auth().oauth2(admin).get(path).then().statusCode(200).body(state, equalTo("online"));
        assertEquals(device.address(), seenThrough(device));
    }

    @Test
    void reset_ip_gives_the_device_a_new_address_after_a_delay() throws Exception {
        DeviceSimulator fleet = Fixtures.fleet();
        SimulatedDevice device = fleet.devices().get(20);
        String before = device.address();
        String after = fleet.resetIp(device.spec().imei()).get();
        assertNotEquals(before, after);
        assertEquals(after, device.address());
        assertEquals(after, seenThrough(device));
        Fixtures.until(() -> after.equals(given().auth().oauth2(Fixtures.admin())
                .get("/v1/admin/proxy/devices?country_id=" + device.spec().country() + "&page_size=100")
                .then().extract().path("data.find { it.imei == '" + device.spec().imei() + "' }.public_ip")), Duration.ofSeconds(10));
    }

    @Test
    void only_device_agents_with_a_service_token_may_report() {
        String body = "{\"imei\": \"990000000000001\", \"type\": \"phone\", \"name\": \"Intruder\", \"country\": \"US\","
                + " \"is_private\": false, \"public_ip\": \"127.9.9.9\", \"tunnel_port\": 1}";
        given().auth().oauth2(Fixtures.user().token()).contentType("application/json").body(body).post("/internal/devices/register")
                .then().statusCode(403).body("code", equalTo("SERVICE_ONLY"));
        given().auth().oauth2(TestTokens.service("billing").sign()).contentType("application/json").body(body)
                .post("/internal/devices/register").then().statusCode(403).body("code", equalTo("SERVICE_ONLY"));
        given().contentType("application/json").body(body).post("/internal/devices/register").then().statusCode(401);
        String agent = TestTokens.service("proxy").sign();
        given().auth().oauth2(agent).contentType("application/json").body(body.replace("127.9.9.9", "not-an-ip"))
                .post("/internal/devices/register").then().statusCode(400).body("errors[0].field", equalTo("public_ip"));
        given().auth().oauth2(agent).contentType("application/json").body("{\"online\": true}")
                .post("/internal/devices/" + UUID.randomUUID().toString().substring(0, 15).replaceAll("[^0-9]", "1") + "/heartbeat")
                .then().statusCode(404).body("code", equalTo("DEVICE_UNKNOWN"));
    }
}
