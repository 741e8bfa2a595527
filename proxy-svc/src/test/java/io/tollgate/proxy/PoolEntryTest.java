package io.tollgate.proxy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tollgate.proxy.simulator.DeviceSimulator;
import io.tollgate.proxy.simulator.SimulatedDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool entry with curl: the user's pool login, its username options, sticky sessions and strict mode. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class PoolEntryTest {

    static final int HTTP = 47000;
    static final int SOCKS = 47001;

    record Login(String username, String password, Fixtures.Caller caller) {
        String proxy(String options) {
            return "http://" + username + options + ":" + password + "@127.0.0.1:" + HTTP;
        }
    }

    /** A user with pool credentials and shared traffic, once the pool entry knows the login (its next refresh). */
    static Login login(Sink sink) throws Exception {
        Fixtures.fleet();
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        JsonPath c = given().auth().oauth2(caller.token()).get("/v1/proxy/pool/credentials").then().statusCode(200).extract().jsonPath();
        Login login = new Login(c.getString("username"), c.getString("password"), caller);
        Fixtures.until(() -> {
            try {
                return "200".equals(ProxyClients.curl("-x", login.proxy(""), "http://127.0.0.1:" + sink.port() + "/ip").status());
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(10));
        return login;
    }

    static Set<String> addresses(String country, String carrier) {
        return Fixtures.fleet().devices().stream().filter(d -> !d.spec().isPrivate() && d.spec().country().equals(country)
                        && (carrier == null || d.spec().carrier().equals(carrier)))
                .map(SimulatedDevice::address).collect(Collectors.toSet());
    }

    static String ip(String proxy, int sink) throws Exception {
        ProxyClients.Curl c = ProxyClients.curl("-x", proxy, "http://127.0.0.1:" + sink + "/ip");
        assertEquals("200", c.status(), c.toString());
        return c.body();
    }

    @Test
    void the_username_options_choose_country_and_carrier_and_a_session_keeps_its_exit() throws Exception {
        try (Sink sink = Sink.plain("127.0.0.1")) {
            Login login = login(sink);
            assertTrue(addresses("US", null).contains(ip(login.proxy("-country-us"), sink.port())));
            assertTrue(addresses("US", "Verizon").contains(ip(login.proxy("-country-us-carrier-verizon"), sink.port())));
            String first = ip(login.proxy("-country-de-session-abc123-sesstime-30"), sink.port());
            assertTrue(addresses("DE", null).contains(first));
            for (int i = 0; i < 4; i++) {
                assertEquals(first, ip(login.proxy("-country-de-session-abc123-sesstime-30"), sink.port()));
            }
            ProxyClients.Curl socks = ProxyClients.curl("--socks5-hostname", login.username() + "-country-de-session-abc123-sesstime-30:"
                    + login.password() + "@127.0.0.1:" + SOCKS, "http://localhost:" + sink.port() + "/ip");
            assertEquals(first, socks.body());

            assertEquals("407", ProxyClients.curl("-x", login.proxy("-sesstime-1441"), "http://127.0.0.1:" + sink.port() + "/ip").status());
            assertEquals("407", ProxyClients.curl("-x", login.proxy("-colour-red"), "http://127.0.0.1:" + sink.port() + "/ip").status());
            assertEquals("407", ProxyClients.curl("-x", "http://" + login.username() + ":wrong@127.0.0.1:" + HTTP,
                    "http://127.0.0.1:" + sink.port() + "/ip").status());
            assertEquals("502", ProxyClients.curl("-x", login.proxy("-country-jp"), "http://127.0.0.1:" + sink.port() + "/ip").status());
        }
    }

    @Test
    void strict_mode_fails_with_502_when_the_sessions_device_is_gone_and_the_loose_one_moves() throws Exception {
        DeviceSimulator fleet = Fixtures.fleet();
        try (Sink sink = Sink.plain("127.0.0.1")) {
            Login login = login(sink);
            // a session on a device that carries now (another test may have left one behind in a reset)
            String session = null;
            String exit = null;
            for (int i = 0; exit == null && i < 10; i++) {
                ProxyClients.Curl c = ProxyClients.curl("-x", login.proxy("-country-fr-session-t" + i + "-strict"), "http://127.0.0.1:" + sink.port() + "/ip");
                if (c.status().equals("200")) {
                    session = "t" + i;
                    exit = c.body();
                }
            }
            assertTrue(exit != null, "no French pool device carried");
            String strict = "-country-fr-session-" + session + "-strict";
            String loose = "-country-fr-session-" + session;
            String gone = exit;
            SimulatedDevice device = fleet.devices().stream().filter(d -> d.address().equals(gone)).findFirst().orElseThrow();
            fleet.offline(device.spec().imei()).get();
            try {
                Fixtures.until(() -> {
                    try {
                        // 502 for the gone device itself (strict mode), not for its closed tunnel before its agent said so
                        ProxyClients.Curl c = ProxyClients.curl("-x", login.proxy(strict), "http://127.0.0.1:" + sink.port() + "/ip");
                        return "502".equals(c.status()) && c.body().contains("strict mode");
                    } catch (Exception e) {
                        return false;
                    }
                }, Duration.ofSeconds(30));
                String moved = ip(login.proxy(loose), sink.port());
                assertNotEquals(exit, moved, "without strict the session moves to another exit");
                assertTrue(addresses("FR", null).contains(moved));
                assertEquals(moved, ip(login.proxy(strict), sink.port()), "and keeps it");
            } finally {
                fleet.online(device.spec().imei()).get();
            }
        }
    }
}
