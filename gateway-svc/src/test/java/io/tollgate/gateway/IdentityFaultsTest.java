package io.tollgate.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's calls to identity under faults: an identity that answers a byte at a time is cut
 * off at the total deadline (an idle timeout would wait for ever), and one that keeps failing opens
 * the circuit breaker, after which API keys are answered 503 at once and no call reaches identity.
 */
@QuarkusTest
@TestProfile(IdentityFaultsTest.FaultyIdentity.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IdentityFaultsTest {

    /** How identity's key exchange behaves: a byte every 200 ms for 40 s, or 500 at once. */
    enum Mode { TRICKLE, FAIL }

    static volatile Mode mode = Mode.TRICKLE;
    static final AtomicInteger EXCHANGES = new AtomicInteger();
    private static HttpServer identity;

    /** A client that gives up long after the gateway's deadline and long before the trickle ends. */
    private static final RestAssuredConfig PATIENT = RestAssuredConfig.config().httpClient(HttpClientConfig.httpClientConfig()
            .setParam("http.socket.timeout", 20_000));

    public static class FaultyIdentity implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String url = "http://127.0.0.1:" + start();
            return Map.ofEntries(
                    Map.entry("tollgate.jwks-url", url + "/jwks"),
                    Map.entry("tollgate.upstream.identity.url", url),
                    Map.entry("tollgate.upstream.billing.url", url),
                    Map.entry("tollgate.upstream.render.url", url),
                    Map.entry("tollgate.upstream.proxy.url", url),
                    Map.entry("tollgate.upstream.notification.url", url),
                    Map.entry("tollgate.upstream.identity.management-url", url),
                    Map.entry("tollgate.upstream.billing.management-url", url),
                    Map.entry("tollgate.upstream.render.management-url", url),
                    Map.entry("tollgate.upstream.proxy.management-url", url),
                    Map.entry("tollgate.upstream.notification.management-url", url),
                    Map.entry("tollgate.gateway.identity.timeout", "PT1S"),
                    Map.entry("tollgate.gateway.identity.breaker.request-volume", "6"),
                    Map.entry("tollgate.gateway.identity.breaker.delay", "PT5M"));
        }
    }

    private static synchronized int start() {
        if (identity == null) {
            try {
                identity = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                identity.setExecutor(Executors.newCachedThreadPool());
                identity.createContext("/jwks", exchange -> answer(exchange, 200, new String(StandInUpstreams.testJwks(), StandardCharsets.UTF_8)));
                identity.createContext("/internal/tokens", exchange -> answer(exchange, 200,
                        "{\"access_token\": \"service-token\", \"expires_in\": 3600}"));
                identity.createContext("/internal/tenants/origins", exchange -> answer(exchange, 200, "{\"data\": []}"));
                // the test drives the stand-in over HTTP: the profile that starts it may live in another class loader
                identity.createContext("/control", exchange -> {
                    String query = exchange.getRequestURI().getQuery();
                    if (query != null && query.startsWith("mode=")) {
                        mode = Mode.valueOf(query.substring(5));
                    }
                    answer(exchange, 200, Integer.toString(EXCHANGES.get()));
                });
                identity.createContext("/internal/api-keys/exchange", exchange -> {
                    EXCHANGES.incrementAndGet();
                    exchange.getRequestBody().readAllBytes();
                    if (mode == Mode.FAIL) {
                        answer(exchange, 500, "{\"code\": \"INTERNAL\"}");
                        return;
                    }
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, 0);
                    try (OutputStream out = exchange.getResponseBody()) {
                        for (int i = 0; i < 200; i++) {
                            out.write(' ');
                            out.flush();
                            Thread.sleep(200);
                        }
                        out.write("{}".getBytes(StandardCharsets.UTF_8));
                    } catch (IOException | InterruptedException e) {
                        // the gateway hung up, as it should past its deadline
                    }
                });
                identity.start();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return identity.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Sets the stand-in's mode (null leaves it) and answers how many exchanges it has seen. */
    private static int identity(Mode set) {
        String url = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("tollgate.upstream.identity.url", String.class);
        return Integer.parseInt(given().baseUri(url).get("/control" + (set == null ? "" : "?mode=" + set)).then().statusCode(200)
                .extract().asString());
    }

    private static void keyRequest() {
        given().config(PATIENT).header("X-API-Key", "tg_live_" + UUID.randomUUID().toString().replace("-", ""))
                .get("/v1/billing/balance").then().statusCode(503).contentType("application/problem+json")
                .body("code", equalTo("AUTH_UNAVAILABLE"));
    }

    @Test
    @Order(1)
    void an_identity_that_trickles_its_answer_is_cut_off_at_the_deadline() {
        int before = identity(Mode.TRICKLE);
        keyRequest();
        assertEquals(before + 1, identity(null), "the key was sent to identity once");
    }

    @Test
    @Order(2)
    void an_identity_that_keeps_failing_opens_the_breaker_and_is_left_alone() {
        int before = identity(Mode.FAIL);
        for (int i = 0; i < 12; i++) {
            keyRequest();
        }
        int reached = identity(null) - before;
        assertTrue(reached > 0 && reached < 12, "identity saw " + reached + " of 12 exchanges before the breaker opened");
        for (int i = 0; i < 5; i++) {
            keyRequest();
        }
        assertEquals(before + reached, identity(null), "with the breaker open, no exchange reaches identity");
    }
}
