package io.tollgate.gateway;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Plain HTTP servers standing in for upstream services in the gateway's own tests (the e2e
 * journeys use the real fleet): one echoes what it received (200, or 201 to a POST), one is slow, one port is closed.
 */
public class StandInUpstreams implements QuarkusTestResourceLifecycleManager {

    /** How often the gateway fetched the key set. */
    public static final java.util.concurrent.atomic.AtomicInteger JWKS_FETCHES = new java.util.concurrent.atomic.AtomicInteger();

    private HttpServer echo;

    @Override
    public Map<String, String> start() {
        try {
            echo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            echo.setExecutor(Executors.newFixedThreadPool(4));
            echo.createContext("/jwks", exchange -> {
                JWKS_FETCHES.incrementAndGet();
                byte[] jwks = testJwks();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                exchange.getResponseBody().write(jwks);
                exchange.close();
            });
            echo.createContext("/", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                if (exchange.getRequestURI().getPath().endsWith("/slow")) {
                    sleep(3_000);
                }
                StringBuilder headers = new StringBuilder();
                exchange.getRequestHeaders().forEach((k, v) -> headers.append(k.toLowerCase()).append('=')
                        .append(String.join(",", v)).append('\n'));
                exchange.getResponseHeaders().add("X-Echo-Method", exchange.getRequestMethod());
                exchange.getResponseHeaders().add("X-Echo-Uri", exchange.getRequestURI().toString());
                exchange.getResponseHeaders().add("X-Echo-Body-Sha", Integer.toHexString(java.util.Arrays.hashCode(body)));
                exchange.getResponseHeaders().add("X-Echo-Headers",
                        java.util.Base64.getEncoder().encodeToString(headers.toString().getBytes(StandardCharsets.UTF_8)));
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                // what a service would answer: 200 to a read or a change, 201 to a POST
                int status = "POST".equals(exchange.getRequestMethod()) ? 201 : 200;
                exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            echo.start();
            int closed;
            try (ServerSocket socket = new ServerSocket(0)) {
                closed = socket.getLocalPort();
            }
            String echoUrl = "http://127.0.0.1:" + echo.getAddress().getPort();
            return Map.ofEntries(
                    Map.entry("tollgate.jwks-url", echoUrl + "/jwks"),
                    Map.entry("tollgate.gateway.cors.origins", "https://app.example.test"),
                    Map.entry("tollgate.upstream.identity.url", echoUrl),
                    Map.entry("tollgate.upstream.notification.url", echoUrl),
                    Map.entry("tollgate.upstream.billing.url", echoUrl),
                    Map.entry("tollgate.upstream.render.url", echoUrl),
                    Map.entry("tollgate.upstream.render.timeout", "1s"),
                    Map.entry("tollgate.upstream.proxy.url", "http://127.0.0.1:" + closed),
                    Map.entry("tollgate.upstream.identity.management-url", echoUrl),
                    Map.entry("tollgate.upstream.billing.management-url", echoUrl),
                    Map.entry("tollgate.upstream.render.management-url", echoUrl),
                    Map.entry("tollgate.upstream.notification.management-url", echoUrl),
                    Map.entry("tollgate.upstream.proxy.management-url", "http://127.0.0.1:" + closed));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (echo != null) {
            echo.stop(0);
        }
    }

    /** The test key pair's public half as a JWKS with kid {@code test-key}, like identity publishes its keys. */
    static byte[] testJwks() throws IOException {
        try (InputStream in = StandInUpstreams.class.getClassLoader().getResourceAsStream("tokens/test-public.pem")) {
            String pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII)
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            var key = (java.security.interfaces.RSAPublicKey) java.security.KeyFactory.getInstance("RSA")
                    .generatePublic(new java.security.spec.X509EncodedKeySpec(java.util.Base64.getDecoder().decode(pem)));
            var b64 = java.util.Base64.getUrlEncoder().withoutPadding();
            return ("{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"test-key\",\"n\":\""
                    + b64.encodeToString(unsigned(key.getModulus().toByteArray())) + "\",\"e\":\""
                    + b64.encodeToString(unsigned(key.getPublicExponent().toByteArray())) + "\"}]}").getBytes(StandardCharsets.UTF_8);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static byte[] unsigned(byte[] value) {
        return value.length > 1 && value[0] == 0 ? java.util.Arrays.copyOfRange(value, 1, value.length) : value;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
