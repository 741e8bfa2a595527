package io.tollgate.proxy;

import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tollgate.contracts.billing.AllowanceExhausted;
import io.tollgate.contracts.billing.EntitlementChanged;
import io.tollgate.kit.testing.Events;
import io.tollgate.kit.testing.Management;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data plane with real clients: curl through the HTTP proxy (absolute-form and CONNECT to a TLS
 * destination) and SOCKS5 (with the host name resolved by the proxy), the JDK's HTTP client, raw
 * SOCKS5 to IPv6; the answers to wrong credentials, a suspended port, refused destinations and a
 * full port; the destinations' own byte counts against the metered bytes; the allowance stop in
 * bytes; and a rotation that ends open tunnels and changes the exit.
 */
@QuarkusTest
@QuarkusTestResource(StandInIdentity.class)
class DataPlaneTest {

    /** A port ready to carry traffic, as its owner sees it. */
    record Live(Fixtures.Caller caller, String id, int http, int socks, String login, String password, String exit) {
        String proxy() {
            return "http://" + login + ":" + password + "@127.0.0.1:" + http;
        }

        String auth() {
            return ProxyClients.basic(login, password);
        }
    }

    @BeforeEach
    void fleet() {
        Fixtures.fleet();
    }

    static Live port(String country) throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        Fixtures.slots(caller, 1, 0);
        return port(caller, country);
    }

    static Live port(Fixtures.Caller caller, String country) {
        JsonPath p = Fixtures.create(caller, "{\"country_id\": \"" + country + "\", \"expires_in\": 3600}").then().statusCode(201)
                .extract().jsonPath();
        Live live = new Live(caller, p.getString("id"), p.getInt("http_port"), p.getInt("socks_port"), p.getString("proxy_login"),
                p.getString("proxy_password"), p.getString("public_ip"));
        Fixtures.until(() -> listening(live.http()) && listening(live.socks()), Duration.ofSeconds(10));
        return live;
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static long usedTraffic(Live live) {
        return given().auth().oauth2(live.caller().token()).get("/v1/ports/" + live.id()).then().statusCode(200).extract().jsonPath()
                .getLong("used_traffic");
    }

    /** The bytes in and out of the port's metered windows in proxy's outbox. */
    static long[] meteredEvents(Live live) {
        Pool pool = Arc.container().instance(Pool.class).get();
        Row r = pool.preparedQuery("select coalesce(sum((payload->>'bytes_in')::bigint), 0) as i, coalesce(sum((payload->>'bytes_out')::bigint), 0) as o"
                        + " from outbox where aggregate_id = $1 and type = 'tollgate.proxy.traffic.metered.v1'")
                .execute(Tuple.of(live.id())).await().indefinitely().iterator().next();
        return new long[] {r.getLong("i"), r.getLong("o")};
    }

    @Test
    void curl_reaches_loopback_destinations_through_both_protocols_from_the_devices_address() throws Exception {
        Live live = port("US");
        try (Sink sink = Sink.plain("127.0.0.1"); Sink tls = Sink.tls()) {
            ProxyClients.Curl plain = ProxyClients.curl("-x", live.proxy(), "http://127.0.0.1:" + sink.port() + "/ip");
            assertEquals("200", plain.status(), plain.toString());
            assertEquals(live.exit(), plain.body());

            ProxyClients.Curl tunnel = ProxyClients.curl("-k", "-x", live.proxy(), "https://127.0.0.1:" + tls.port() + "/bytes/5000");
            assertEquals("200", tunnel.status(), tunnel.toString());
            assertEquals(5000, tunnel.body().length());
            assertEquals(live.exit(), tls.peers.getFirst());

            ProxyClients.Curl socks = ProxyClients.curl("--socks5-hostname", live.login() + ":" + live.password() + "@127.0.0.1:" + live.socks(),
                    "http://localhost:" + sink.port() + "/ip");
            assertEquals("200", socks.status(), socks.toString());
            assertEquals(live.exit(), socks.body());

            // keep-alive: two requests on one connection to the proxy
            ProxyClients.Curl twice = ProxyClients.curl("-x", live.proxy(), "http://127.0.0.1:" + sink.port() + "/bytes/10",
                    "http://127.0.0.1:" + sink.port() + "/bytes/20", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{num_connects}");
            assertEquals("10", twice.body(), "the second request went on the first one's connection");
        }
    }

    @Test
    void the_jdk_client_and_raw_socks5_to_ipv6_are_carried() throws Exception {
        Live live = port("DE");
        try (Sink sink = Sink.plain("127.0.0.1"); Sink six = Sink.plain("::1")) {
            HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", live.http()))).build();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sink.port() + "/ip"))
                        .header("Proxy-Authorization", live.auth()).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals(live.exit(), r.body());
            }
            try (ProxyClients.Socks s = ProxyClients.socks(live.socks(), live.login(), live.password(), (byte) 4,
                    InetAddress.getByName("::1").getAddress(), six.port())) {
                assertEquals(0, s.reply());
                assertEquals("0:0:0:0:0:0:0:1", new String(ProxyClients.get(s.socket(), "/ip", "[::1]"), StandardCharsets.US_ASCII));
            }
            try (ProxyClients.Socks s = ProxyClients.socks(live.socks(), live.login(), live.password(), (byte) 3,
                    "localhost".getBytes(StandardCharsets.US_ASCII), sink.port())) {
                assertEquals(0, s.reply());
                assertEquals(1234, ProxyClients.get(s.socket(), "/bytes/1234", "localhost").length);
            }
        }
    }

    @Test
    void wrong_credentials_refused_destinations_and_a_full_port_get_their_answers() throws Exception {
        Live live = port("GB");
        try (Sink sink = Sink.plain("127.0.0.1")) {
            ProxyClients.Curl none = ProxyClients.curl("-i", "-x", "http://127.0.0.1:" + live.http(), "http://127.0.0.1:" + sink.port() + "/ip");
            assertEquals("407", none.status());
            assertTrue(none.body().contains("Proxy-Authenticate: Basic realm=\"tollgate\""), none.body());
            assertEquals("407", ProxyClients.curl("-x", "http://" + live.login() + ":wrong-password@127.0.0.1:" + live.http(),
                    "http://127.0.0.1:" + sink.port() + "/ip").status());
            try (ProxyClients.Tunnel t = ProxyClients.connect(live.http(), ProxyClients.basic(live.login(), "nope"), "127.0.0.1:" + sink.port())) {
                assertTrue(t.status().startsWith("HTTP/1.1 407"), t.status());
            }
            try (ProxyClients.Socks s = ProxyClients.socks(live.socks(), live.login(), "wrong-password", (byte) 1, ProxyClients.v4("127.0.0.1"),
                    sink.port())) {
                assertEquals(-2, s.reply(), "RFC 1929 status 1");
            }

            try (ProxyClients.Tunnel t = ProxyClients.connect(live.http(), live.auth(), "169.254.169.254:443")) {
                assertTrue(t.status().startsWith("HTTP/1.1 403"), t.status());
            }
            try (ProxyClients.Tunnel t = ProxyClients.connect(live.http(), live.auth(), "127.0.0.1:25")) {
                assertTrue(t.status().startsWith("HTTP/1.1 403"), t.status());
            }
            try (ProxyClients.Socks s = ProxyClients.socks(live.socks(), live.login(), live.password(), (byte) 1, ProxyClients.v4("10.1.2.3"), 443)) {
                assertEquals(2, s.reply());
            }
            try (ProxyClients.Socks s = ProxyClients.socks(live.socks(), live.login(), live.password(), (byte) 4,
                    new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, (byte) 168, 1, 1}, 443)) {
                assertEquals(2, s.reply(), "an IPv4-mapped private address is refused too");
            }

            Pool pool = Arc.container().instance(Pool.class).get();
            pool.preparedQuery("update ports set max_conn = 1, updated_at = now() where id = $1").execute(Tuple.of(UUID.fromString(live.id())))
                    .await().indefinitely();
            Fixtures.until(() -> {
                try (ProxyClients.Tunnel first = ProxyClients.connect(live.http(), live.auth(), "127.0.0.1:" + sink.port());
                     ProxyClients.Tunnel second = ProxyClients.connect(live.http(), live.auth(), "127.0.0.1:" + sink.port())) {
                    return first.status().startsWith("HTTP/1.1 200") && second.status().startsWith("HTTP/1.1 429");
                } catch (IOException e) {
                    return false;
                }
            }, Duration.ofSeconds(10));
            try (ProxyClients.Socks one = ProxyClients.socks(live.socks(), live.login(), live.password(), (byte) 1, ProxyClients.v4("127.0.0.1"), sink.port());
                 ProxyClients.Socks two = ProxyClients.socks(live.socks(), live.login(), live.password(), (byte) 1, ProxyClients.v4("127.0.0.1"), sink.port())) {
                assertEquals(0, one.reply());
                assertEquals(2, two.reply());
            }
        }
        Management.given().get("/q/metrics").then().statusCode(200)
                .body(containsString("tollgate_proxy_refusals_total{reason=\"auth_failed\"}"))
                .body(containsString("tollgate_proxy_refusals_total{reason=\"destination_forbidden\"}"))
                .body(containsString("tollgate_proxy_refusals_total{reason=\"port_full\"}"))
                .body(containsString("tollgate_proxy_tunnels_active"))
                .body(containsString("tollgate_proxy_traffic_bytes_total{direction=\"in\"}"));
    }

    @Test
    void a_suspended_port_answers_402_and_socks_0x02_until_it_is_resumed() throws Exception {
        Live live = port("FR");
        try (Sink sink = Sink.plain("127.0.0.1")) {
            assertEquals("200", ProxyClients.curl("-x", live.proxy(), "http://127.0.0.1:" + sink.port() + "/ip").status());
            Events.publish(new AllowanceExhausted(live.caller().id(), Fixtures.TENANT, "traffic_shared", 0, Instant.now()), null,
                    live.caller().id().toString(), "billing-svc");
            Fixtures.until(() -> {
                try {
                    return "402".equals(ProxyClients.curl("-x", live.proxy(), "http://127.0.0.1:" + sink.port() + "/ip").status());
                } catch (Exception e) {
                    return false;
                }
            }, Duration.ofSeconds(30));
            try (ProxyClients.Socks s = ProxyClients.socks(live.socks(), live.login(), live.password(), (byte) 1, ProxyClients.v4("127.0.0.1"), sink.port())) {
                assertEquals(2, s.reply());
            }
        }
    }

    @Test
    void the_destinations_byte_counts_equal_the_metered_bytes_for_random_sizes() throws Exception {
        Live live = port("US");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Sink sink = Sink.plain("127.0.0.1"); Sink tls = Sink.tls()) {
            int down = random.nextInt(1, 3_000_000);
            byte[] upload = new byte[random.nextInt(1, 2_000_000)];
            random.nextBytes(upload);
            Path file = Files.createTempFile("upload", ".bin");
            Files.write(file, upload);
            String socks = live.login() + ":" + live.password() + "@127.0.0.1:" + live.socks();
            String[][] transfers = {
                    {"-x", live.proxy(), "-o", "/dev/null", "http://127.0.0.1:" + sink.port() + "/bytes/" + down},
                    {"-x", live.proxy(), "--data-binary", "@" + file, "http://127.0.0.1:" + sink.port() + "/up"},
                    {"-k", "-x", live.proxy(), "-o", "/dev/null", "https://127.0.0.1:" + tls.port() + "/bytes/" + down},
                    {"-k", "-x", live.proxy(), "--data-binary", "@" + file, "https://127.0.0.1:" + tls.port() + "/up"},
                    {"--socks5-hostname", socks, "--data-binary", "@" + file, "-o", "/dev/null", "http://localhost:" + sink.port() + "/bytes/" + down}};
            for (String[] transfer : transfers) {
                ProxyClients.Curl done = ProxyClients.curl(transfer);
                assertEquals(0, done.exit(), String.join(" ", transfer));
                assertEquals("200", done.status(), String.join(" ", transfer));
                // read again on each look: a TLS client's close_notify can reach the sink after curl has exited
                settles(live, () -> sink.total() + tls.total(), String.join(" ", transfer));
            }
            assertTrue(tls.total() > down);
            long[] events = meteredEvents(live);
            assertEquals(sink.sent.get() + tls.sent.get(), events[0], "bytes in: what the destinations sent");
            assertEquals(sink.received.get() + tls.received.get(), events[1], "bytes out: what the destinations received");
        }
    }

    @Test
    void a_spent_allowance_stops_open_tunnels_at_the_cap_and_a_purchase_restores_it_at_once() throws Exception {
        Fixtures.Caller caller = Fixtures.user();
        long cap = 300_000;
        entitlement(caller, cap);
        Live live = port(caller, "DE");
        try (Sink sink = Sink.plain("127.0.0.1")) {
            long got = 0;
            try (ProxyClients.Tunnel t = ProxyClients.connect(live.http(), live.auth(), "127.0.0.1:" + sink.port())) {
                assertTrue(t.status().startsWith("HTTP/1.1 200"), t.status());
                t.out().write(("GET /bytes/2000000 HTTP/1.1\r\nHost: sink\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = t.in();
                byte[] buf = new byte[65536];
                int n;
                try {
                    while ((n = in.read(buf)) > 0) {
                        got += n;
                    }
                } catch (IOException e) {
                    // the proxy ended the tunnel
                }
            }
            long carried = got + sink.received.get();
            long downloaded = got;
            assertTrue(carried <= cap, "carried " + carried + " of a cap of " + cap);
            assertTrue(cap - carried <= 64 * 1024, "stopped " + (cap - carried) + " bytes short of the cap");
            settles(live, () -> downloaded + sink.received.get(), "a tunnel stopped at the cap");

            ProxyClients.Curl refused = ProxyClients.curl("-x", live.proxy(), "http://127.0.0.1:" + sink.port() + "/ip");
            assertEquals("402", refused.status());
            assertTrue(refused.body().contains("TRAFFIC_EXHAUSTED"), refused.body());
            try (ProxyClients.Socks s = ProxyClients.socks(live.socks(), live.login(), live.password(), (byte) 1, ProxyClients.v4("127.0.0.1"), sink.port())) {
                assertEquals(2, s.reply());
            }

            entitlement(caller, 10_000_000);
            Fixtures.until(() -> {
                try {
                    return "200".equals(ProxyClients.curl("-x", live.proxy(), "http://127.0.0.1:" + sink.port() + "/ip").status());
                } catch (Exception e) {
                    return false;
                }
            }, Duration.ofSeconds(10));
        }
    }

    @Test
    void a_rotation_closes_open_tunnels_and_the_next_connection_leaves_from_the_new_device() throws Exception {
        Live live = port("US");
        try (Sink sink = Sink.plain("127.0.0.1");
             ProxyClients.Tunnel t = ProxyClients.connect(live.http(), live.auth(), "127.0.0.1:" + sink.port())) {
            assertTrue(t.status().startsWith("HTTP/1.1 200"), t.status());
            assertEquals(live.exit(), new String(ProxyClients.get(t.socket(), "/ip", "sink"), StandardCharsets.US_ASCII));
            String newIp = given().auth().oauth2(live.caller().token()).post("/v1/ports/" + live.id() + "/rotate").then().statusCode(200)
                    .extract().path("new_ip");
            assertNotEquals(live.exit(), newIp);
            assertEquals(-1, t.in().read(), "the tunnel was closed");
            Fixtures.until(() -> {
                try {
                    return newIp.equals(ProxyClients.curl("-x", live.proxy(), "http://127.0.0.1:" + sink.port() + "/ip").body());
                } catch (Exception e) {
                    return false;
                }
            }, Duration.ofSeconds(10));
        }
    }

    /** The port's used_traffic and the destinations' count come to the same figure once the windows are written (compared exactly). */
    static void settles(Live live, java.util.function.LongSupplier expected, String after) {
        try {
            Fixtures.until(() -> usedTraffic(live) == expected.getAsLong(), Duration.ofSeconds(15));
        } catch (AssertionError e) {
            // the figures say more than the timeout
        }
        assertEquals(expected.getAsLong(), usedTraffic(live), "used_traffic against the destinations' counts after " + after);
    }

    /** Billing says the user has {@code bytes} of shared traffic left (and one shared slot), now. */
    static void entitlement(Fixtures.Caller caller, long bytes) throws Exception {
        Instant now = Instant.now();
        Events.publish(new EntitlementChanged(caller.id(), Fixtures.TENANT, UUID.randomUUID(), "traffic", false, 1, bytes, 0, 1, 0, "starter",
                50, 10, now), null, caller.id().toString(), "billing-svc");
        Pool pool = Arc.container().instance(Pool.class).get();
        Fixtures.until(() -> pool.preparedQuery("select 1 from entitlements where user_id = $1 and traffic_shared_bytes = $2")
                .execute(Tuple.of(caller.id(), bytes)).await().indefinitely().size() == 1, Duration.ofSeconds(60));
    }
}
