package io.tollgate.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * Identity's token endpoint and billing's holds API as render-svc's own tests need them: billing's
 * contract (201 with the hold, 402 with required and available, the same hold for the same
 * Idempotency-Key), with balances the tests set. The e2e journeys run the real billing.
 */
public class StandInBilling implements QuarkusTestResourceLifecycleManager {

    /** A hold as the stand-in recorded it. */
    public record Hold(UUID id, UUID userId, long amountMinor, String key, String modelId) {
    }

    public static final Map<String, Hold> HOLDS = new ConcurrentHashMap<>();
    /** Users whose balance is this many minor units (everyone else has plenty). */
    public static final Map<UUID, Long> BALANCES = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.createContext("/internal/tokens", exchange -> send(exchange, 200,
                    "{\"access_token\": \"stand-in-token\", \"token_type\": \"Bearer\", \"expires_in\": 900}"));
            server.createContext("/internal/holds", this::hold);
            server.start();
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            return Map.of("tollgate.identity-url", url, "tollgate.render.billing-url", url);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void hold(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        if (!"Bearer stand-in-token".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "{\"code\": \"UNAUTHORIZED\"}");
            return;
        }
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        UUID user = UUID.fromString(body.path("user_id").asText());
        long amount = body.path("amount_minor").asLong();
        Long balance = BALANCES.get(user);
        if (balance != null && balance < amount) {
            send(exchange, 402, "{\"code\": \"INSUFFICIENT_BALANCE\", \"required\": " + amount + ", \"available\": " + balance
                    + ", \"currency\": \"USD\"}");
            return;
        }
        Hold hold = HOLDS.computeIfAbsent(key, k -> new Hold(UUID.randomUUID(), user, amount, k, body.path("model_id").asText()));
        send(exchange, 201, "{\"id\": \"" + hold.id() + "\", \"amount_minor\": " + hold.amountMinor() + ", \"currency\": \""
                + body.path("currency").asText() + "\", \"status\": \"pending\"}");
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
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
