package io.tollgate.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * Billing's port-renewal route as proxy-svc's own tests need it, over HTTP: a balance per user
 * (plenty unless a test sets it), the slot month pro rata as the price, 402 INSUFFICIENT_BALANCE
 * when the balance cannot pay, and an Idempotency-Key's first 201 replayed for the same key. A
 * test sets balances and reads what each port was asked and charged under {@code /control}. The
 * e2e journeys run the real billing.
 */
public class StandInBilling implements QuarkusTestResourceLifecycleManager {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Counts(int requests, int charges) {
    }

    private HttpServer server;
    private final Map<String, Long> balances = new HashMap<>();
    private final Map<String, byte[]> answers = new HashMap<>();
    private final Map<String, Counts> ports = new HashMap<>();

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.createContext("/internal/port-renewals", this::renewal);
            server.createContext("/control/", this::control);
            server.start();
            return Map.of("tollgate.proxy.billing-url", "http://127.0.0.1:" + server.getAddress().getPort());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized void renewal(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        if (auth == null || !auth.startsWith("Bearer ") || key == null) {
            send(exchange, 400, "{\"code\": \"VALIDATION_ERROR\"}", Map.of());
            return;
        }
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        String port = body.path("port_id").asText();
        Counts counts = ports.getOrDefault(port, new Counts(0, 0));
        ports.put(port, new Counts(counts.requests() + 1, counts.charges()));
        byte[] first = answers.get(key);
        if (first != null) {
            send(exchange, 201, new String(first, StandardCharsets.UTF_8), Map.of("Idempotent-Replayed", "true"));
            return;
        }
        int days = body.path("days").asInt();
        long price = Math.ceilDiv((body.path("is_private").asBoolean() ? 600L : 300L) * days, 30);
        String user = body.path("user_id").asText();
        long balance = balances.getOrDefault(user, 1_000_000L);
        if (balance < price) {
            send(exchange, 402, "{\"code\": \"INSUFFICIENT_BALANCE\", \"status\": 402, \"required\": " + price + ", \"available\": "
                    + balance + "}", Map.of());
            return;
        }
        balances.put(user, balance - price);
        ports.put(port, new Counts(counts.requests() + 1, counts.charges() + 1));
        ObjectNode answer = JSON.createObjectNode().put("id", UUID.randomUUID().toString()).put("port_id", port).put("days", days)
                .put("total_minor", price).put("currency", "USD").put("balance_after_minor", balance - price);
        byte[] bytes = JSON.writeValueAsBytes(answer);
        answers.put(key, bytes);
        send(exchange, 201, new String(bytes, StandardCharsets.UTF_8), Map.of());
    }

    /** {@code POST /control/balances/{user}} with a number sets the balance; {@code GET /control/ports/{port}} counts. */
    private synchronized void control(HttpExchange exchange) throws IOException {
        String[] path = exchange.getRequestURI().getPath().split("/");
        if ("balances".equals(path[2]) && "POST".equals(exchange.getRequestMethod())) {
            balances.put(path[3], Long.parseLong(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).trim()));
            send(exchange, 204, null, Map.of());
        } else if ("ports".equals(path[2])) {
            Counts counts = ports.getOrDefault(path[3], new Counts(0, 0));
            send(exchange, 200, "{\"requests\": " + counts.requests() + ", \"charges\": " + counts.charges() + "}", Map.of());
        } else {
            send(exchange, 404, "{}", Map.of());
        }
    }

    private static void send(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
