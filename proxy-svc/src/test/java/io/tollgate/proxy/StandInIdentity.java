package io.tollgate.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tollgate.kit.testing.TestTokens;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Identity's token endpoint as proxy-svc's own tests need it: client credentials answered with a
 * service token signed by the test key pair, which proxy-svc verifies as it verifies identity's.
 * The device simulator's agents and proxy's commands to devices use it. The e2e journeys run the
 * real identity.
 */
public class StandInIdentity implements QuarkusTestResourceLifecycleManager {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newFixedThreadPool(2));
            server.createContext("/internal/tokens", this::token);
            server.start();
            return Map.of("tollgate.identity-url", "http://127.0.0.1:" + server.getAddress().getPort());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void token(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        String client = body.path("client_id").asText();
        if (!("local-development-secret-" + client + "-svc").equals(body.path("client_secret").asText())) {
            send(exchange, 401, "{\"code\": \"INVALID_CLIENT\"}");
            return;
        }
        send(exchange, 200, "{\"access_token\": \"" + TestTokens.service(client).sign()
                + "\", \"token_type\": \"Bearer\", \"expires_in\": 900}");
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
