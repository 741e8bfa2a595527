package io.tollgate.proxy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caller's sticky pool sessions: listed with their exit, connections and traffic, and closed one by one or all at once. */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class PoolSessionsTest {

    private static JsonPath sessions(Fixtures.Caller caller) {
        return given().auth().oauth2(caller.token()).get("/v1/proxy/pool/sessions").then().statusCode(200).extract().jsonPath();
    }

    /** The caller's sessions once {@code ready} holds for them (the nodes publish theirs at each refresh). */
    private static JsonPath sessionsWhen(Fixtures.Caller caller, java.util.function.Predicate<JsonPath> ready) {
        AtomicReference<JsonPath> last = new AtomicReference<>();
        Fixtures.until(() -> {
            last.set(sessions(caller));
            return ready.test(last.get());
        }, Duration.ofSeconds(10));
        return last.get();
    }

    /** Reads until the tunnel ends: true when the proxy closed it. */
    private static boolean ends(InputStream in) {
        try {
            while (in.read() != -1) {
                // what is left of an answer
            }
            return true;
        } catch (SocketException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void a_session_is_listed_with_its_exit_connections_and_traffic_and_closing_it_ends_its_tunnel_and_frees_its_name() throws Exception {
        try (Sink sink = Sink.plain("127.0.0.1")) {
            PoolEntryTest.Login login = PoolEntryTest.login(sink);
            Fixtures.Caller caller = login.caller();
            String target = "127.0.0.1:" + sink.port();
            try (ProxyClients.Tunnel tunnel = ProxyClients.connect(PoolEntryTest.HTTP,
                    ProxyClients.basic(login.username() + "-country-de-session-keep1-sesstime-30", login.password()), target)) {
                assertTrue(tunnel.status().contains(" 200 "), tunnel.status());
                String exit = new String(ProxyClients.get(tunnel.socket(), "/ip", target), StandardCharsets.UTF_8);
                assertTrue(PoolEntryTest.addresses("DE", null).contains(exit), exit);

                JsonPath listed = sessionsWhen(caller, j -> j.getInt("meta.total") == 1 && j.getInt("data[0].active_connections") == 1
                        && j.getLong("data[0].traffic_in_bytes") > 0);
                assertEquals("keep1", listed.getString("data[0].name"));
                assertEquals("DE", listed.getString("data[0].country_code"));
                assertEquals(false, listed.getBoolean("data[0].strict"));
                assertTrue(listed.getLong("data[0].traffic_out_bytes") > 0, listed.prettify());
                assertTrue(listed.getString("data[0].expires_at").compareTo(listed.getString("data[0].created_at")) > 0, listed.prettify());
                String id = listed.getString("data[0].id");
                given().auth().oauth2(caller.token()).get("/v1/proxy/pool/stats").then().statusCode(200)
                        .body("pool.active_sessions", equalTo(1)).body("pool.active_connections", equalTo(1));

                // someone else sees none of it and cannot close it
                Fixtures.Caller other = Fixtures.user();
                given().auth().oauth2(other.token()).get("/v1/proxy/pool/sessions").then().statusCode(200).body("meta.total", equalTo(0));
                given().auth().oauth2(other.token()).delete("/v1/proxy/pool/sessions/" + id).then().statusCode(404)
                        .contentType("application/problem+json").body("code", equalTo("NOT_FOUND"));
                given().auth().oauth2(other.token()).delete("/v1/proxy/pool/sessions").then().statusCode(200).body("closed", equalTo(0));
                given().auth().oauth2(caller.token()).delete("/v1/proxy/pool/sessions/not-a-session").then().statusCode(404)
                        .contentType("application/problem+json");
                assertEquals(1, sessions(caller).getInt("meta.total"), "nothing closed by the refusals");

                given().auth().oauth2(caller.token()).delete("/v1/proxy/pool/sessions/" + id).then().statusCode(200).body("closed", equalTo(1));
                assertTrue(ends(tunnel.in()), "the session's open tunnel is closed");
                assertEquals(0, sessions(caller).getInt("meta.total"));
                given().auth().oauth2(caller.token()).delete("/v1/proxy/pool/sessions/" + id).then().statusCode(404);
            }

            // the name is free again: it makes a new session
            ProxyClients.Curl again = ProxyClients.curl("-x", login.proxy("-country-de-session-keep1"), "http://" + target + "/ip");
            assertEquals("200", again.status(), again.toString());
            JsonPath fresh = sessionsWhen(caller, j -> j.getInt("meta.total") == 1);
            assertEquals("keep1", fresh.getString("data[0].name"));
            assertEquals(0, fresh.getInt("data[0].active_connections"), "curl's connection has ended; the session lives on");

            // the pool's traffic is metered by direction and counts in the caller's total
            Fixtures.until(() -> given().auth().oauth2(caller.token()).get("/v1/proxy/pool/stats").then().extract().jsonPath()
                    .getLong("pool.traffic_in_bytes") > 0, Duration.ofSeconds(10));
            JsonPath stats = given().auth().oauth2(caller.token()).get("/v1/proxy/pool/stats").then().statusCode(200).extract().jsonPath();
            assertTrue(stats.getLong("pool.traffic_out_bytes") > 0, stats.prettify());
            assertEquals(stats.getLong("pool.traffic_in_bytes") + stats.getLong("pool.traffic_out_bytes"), stats.getLong("pool.used_traffic_bytes"));
            assertEquals(stats.getLong("shared.used_traffic_bytes") + stats.getLong("private.used_traffic_bytes")
                    + stats.getLong("pool.used_traffic_bytes"), stats.getLong("used_traffic_bytes"));
            assertNotEquals(0, stats.getLong("used_traffic_bytes"));
        }
    }

    @Test
    void closing_all_sessions_closes_each_one_once_and_is_idempotent() throws Exception {
        try (Sink sink = Sink.plain("127.0.0.1")) {
            PoolEntryTest.Login login = PoolEntryTest.login(sink);
            Fixtures.Caller caller = login.caller();
            for (String name : List.of("a1", "b2", "c3")) {
                ProxyClients.Curl c = ProxyClients.curl("-x", login.proxy("-session-" + name), "http://127.0.0.1:" + sink.port() + "/ip");
                assertEquals("200", c.status(), c.toString());
            }
            JsonPath listed = sessionsWhen(caller, j -> j.getInt("meta.total") == 3);
            assertEquals(List.of("c3", "b2", "a1"), listed.getList("data.name"), "newest first");
            given().auth().oauth2(caller.token()).queryParams(Map.of("page", 2, "page_size", 2)).get("/v1/proxy/pool/sessions").then()
                    .statusCode(200).body("data.size()", equalTo(1)).body("data[0].name", equalTo("a1")).body("meta.total", equalTo(3));
            given().auth().oauth2(caller.token()).queryParam("page_size", "many").get("/v1/proxy/pool/sessions").then().statusCode(400)
                    .contentType("application/problem+json");

            given().auth().oauth2(caller.token()).delete("/v1/proxy/pool/sessions").then().statusCode(200).body("closed", equalTo(3));
            assertEquals(0, sessions(caller).getInt("meta.total"));
            given().auth().oauth2(caller.token()).delete("/v1/proxy/pool/sessions").then().statusCode(200).body("closed", equalTo(0));
            // the nodes forget closed sessions: a name used again is a new session, not a closed one coming back
            ProxyClients.Curl c = ProxyClients.curl("-x", login.proxy("-session-b2"), "http://127.0.0.1:" + sink.port() + "/ip");
            assertEquals("200", c.status(), c.toString());
            JsonPath after = sessionsWhen(caller, j -> j.getInt("meta.total") == 1);
            assertEquals("b2", after.getString("data[0].name"));
            assertTrue(listed.getList("data.id").stream().noneMatch(old -> old.equals(after.getString("data[0].id"))), after.prettify());
        }
    }

    @Test
    void a_key_needs_proxy_write_to_close_sessions() {
        Fixtures.Caller caller = Fixtures.user();
        String readOnly = io.tollgate.kit.testing.TestTokens.user(caller.id(), Fixtures.TENANT).apiKey(java.util.UUID.randomUUID(),
                "proxy:read").sign();
        given().auth().oauth2(readOnly).get("/v1/proxy/pool/sessions").then().statusCode(200);
        given().auth().oauth2(readOnly).delete("/v1/proxy/pool/sessions").then().statusCode(403).contentType("application/problem+json");
    }
}
