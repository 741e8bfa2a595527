package io.tollgate.e2e;

import com.sun.net.httpserver.HttpServer;
import io.restassured.path.json.JsonPath;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A partner's webhook receiver on loopback: keeps every delivery (headers lower-cased, as Standard Webhooks verifies them) and answers 204. */
final class Partner implements AutoCloseable {

    /** One delivery as it arrived. */
    record Received(Map<String, List<String>> headers, String body) {
        /** The envelope's event type. */
        String type() {
            return JsonPath.from(body).getString("type");
        }
    }

    private final HttpServer server;
    private final String path;
    final List<Received> received = new CopyOnWriteArrayList<>();

    private Partner(String path) throws IOException {
        this.path = path;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext(path, exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), List.copyOf(v)));
            received.add(new Received(headers, new String(body, StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    /** A receiver listening at {@code path} on a free loopback port. */
    static Partner at(String path) throws IOException {
        return new Partner(path);
    }

    /** Where the partner registers its endpoint. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
