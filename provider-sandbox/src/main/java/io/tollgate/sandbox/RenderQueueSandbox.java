package io.tollgate.sandbox;

import com.sun.net.httpserver.HttpExchange;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fal-style queue for generation models, under {@code /fal}: {@code POST /fal/<model>} with
 * {@code Authorization: Key <key>} queues a request and answers {@code request_id} with its
 * {@code status_url}, {@code response_url} and {@code cancel_url}; the status goes
 * {@code IN_QUEUE → IN_PROGRESS → COMPLETED} (with logs); the response is the model's output
 * ({@code images[]} with {@code url, content_type, width, height}), files served under
 * {@code /fal/files/}. A failed request is {@code COMPLETED} with {@code error} and
 * {@code error_type} in its status, and its response answers 500 {@code {detail, error_type}}
 * with {@code X-Fal-Error-Type}. {@code PUT .../cancel} cancels a request still queued (202) and
 * answers 400 {@code ALREADY_COMPLETED} otherwise.
 *
 * <p>Models: {@code tollgate-sandbox/fast-image} (PNGs of the asked size, {@code num_images} of
 * them), {@code tollgate-sandbox/failing-image} (always fails, error type {@code internal_error}).
 * A request waits in the queue and runs for the {@link #timing} set (200 ms and 400 ms at first);
 * {@link #failNext} makes the next calls answer 503.
 */
public final class RenderQueueSandbox {

    public static final String API_KEY = "fal_sandbox_key";
    public static final String FAST = "tollgate-sandbox/fast-image";
    public static final String FAILING = "tollgate-sandbox/failing-image";

    private static final Pattern INT = Pattern.compile("\"(width|height|num_images|seed)\"\\s*:\\s*(\\d+)");
    private static final Pattern REQUEST = Pattern.compile("^/fal/(.+?)/requests/([0-9a-f-]{36})(/status|/cancel)?$");

    /** A queued request as the sandbox keeps it. */
    public record Request(String id, String model, int width, int height, int count, long seed, Instant queuedAt,
                          boolean cancelled) {
    }

    private final ProviderSandbox sandbox;
    private final Map<String, Request> requests = new ConcurrentHashMap<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final AtomicInteger submits = new AtomicInteger();
    private final AtomicInteger unavailable = new AtomicInteger();
    private volatile Duration queue = Duration.ofMillis(200);
    private volatile Duration run = Duration.ofMillis(400);

    RenderQueueSandbox(ProviderSandbox sandbox) {
        this.sandbox = sandbox;
        sandbox.mount("/fal/", this::handle);
    }

    /** How long requests wait and run from now on. */
    public void timing(Duration queued, Duration running) {
        this.queue = queued;
        this.run = running;
    }

    /** The next {@code calls} API calls (submit, status, result) answer 503, as an overloaded provider does. */
    public void failNext(int calls) {
        unavailable.set(calls);
    }

    /** How many requests were submitted (a retried job must not submit twice). */
    public int submits() {
        return submits.get();
    }

    public Request request(String id) {
        return requests.get(id);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (path.startsWith("/fal/files/")) {
            byte[] file = files.get(path.substring("/fal/files/".length()));
            if (file == null) {
                ProviderSandbox.send(exchange, 404, "application/json", "{\"detail\":\"Not Found\"}");
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, file.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(file);
            }
            return;
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.equals("Key " + API_KEY)) {
            ProviderSandbox.send(exchange, 401, "application/json", "{\"detail\":\"Invalid or missing key\"}");
            return;
        }
        if (unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            ProviderSandbox.send(exchange, 503, "application/json", "{\"detail\":\"Service temporarily unavailable\","
                    + "\"error_type\":\"runner_scheduling_failure\"}");
            return;
        }
        Matcher m = REQUEST.matcher(path);
        String method = exchange.getRequestMethod();
        if (m.matches()) {
            Request request = requests.get(m.group(2));
            if (request == null || !request.model().equals(m.group(1))) {
                ProviderSandbox.send(exchange, 404, "application/json", "{\"detail\":\"Request not found\"}");
                return;
            }
            String tail = m.group(3) == null ? "" : m.group(3);
            switch (tail) {
                case "/status" -> status(exchange, request);
                case "/cancel" -> cancel(exchange, request);
                default -> response(exchange, request);
            }
            return;
        }
        if (!"POST".equals(method)) {
            ProviderSandbox.send(exchange, 405, "application/json", "{\"detail\":\"Method Not Allowed\"}");
            return;
        }
        String model = path.substring("/fal/".length());
        if (!model.equals(FAST) && !model.equals(FAILING)) {
            ProviderSandbox.send(exchange, 404, "application/json", "{\"detail\":\"Application not found\"}");
            return;
        }
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int width = 512;
        int height = 512;
        int count = 1;
        long seed = 0;
        Matcher field = INT.matcher(body);
        while (field.find()) {
            long value = Long.parseLong(field.group(2));
            switch (field.group(1)) {
                case "width" -> width = (int) Math.min(value, 2048);
                case "height" -> height = (int) Math.min(value, 2048);
                case "num_images" -> count = (int) Math.max(1, Math.min(value, 4));
                default -> seed = value;
            }
        }
        String id = UUID.randomUUID().toString();
        requests.put(id, new Request(id, model, width, height, count, seed, Instant.now(), false));
        submits.incrementAndGet();
        String base = sandbox.baseUrl() + "/fal/" + model + "/requests/" + id;
        ProviderSandbox.send(exchange, 200, "application/json", "{\"request_id\":\"" + id + "\",\"gateway_request_id\":\"" + id
                + "\",\"status_url\":\"" + base + "/status\",\"response_url\":\"" + base + "\",\"cancel_url\":\"" + base
                + "/cancel\",\"queue_position\":0}");
    }

    private String state(Request request) {
        if (request.cancelled()) {
            return "CANCELLED";
        }
        Duration age = Duration.between(request.queuedAt(), Instant.now());
        if (age.compareTo(queue) < 0) {
            return "IN_QUEUE";
        }
        return age.compareTo(queue.plus(run)) < 0 ? "IN_PROGRESS" : "COMPLETED";
    }

    private void status(HttpExchange exchange, Request request) throws IOException {
        String state = state(request);
        String base = sandbox.baseUrl() + "/fal/" + request.model() + "/requests/" + request.id();
        StringBuilder json = new StringBuilder("{\"status\":\"").append(state).append("\",\"request_id\":\"").append(request.id())
                .append("\",\"response_url\":\"").append(base).append('"');
        if ("IN_QUEUE".equals(state)) {
            json.append(",\"queue_position\":0");
        } else {
            json.append(",\"logs\":[{\"message\":\"loading the model\",\"level\":\"INFO\",\"timestamp\":\"")
                    .append(request.queuedAt().plus(queue)).append("\"}]");
        }
        if ("COMPLETED".equals(state) && request.model().equals(FAILING)) {
            json.append(",\"error\":\"The model crashed while generating\",\"error_type\":\"internal_error\"");
        }
        ProviderSandbox.send(exchange, 200, "application/json", json.append('}').toString());
    }

    private void cancel(HttpExchange exchange, Request request) throws IOException {
        if ("IN_QUEUE".equals(state(request))) {
            requests.put(request.id(), new Request(request.id(), request.model(), request.width(), request.height(), request.count(),
                    request.seed(), request.queuedAt(), true));
            ProviderSandbox.send(exchange, 202, "application/json", "{\"status\":\"CANCELLATION_REQUESTED\"}");
            return;
        }
        ProviderSandbox.send(exchange, 400, "application/json", "{\"status\":\"ALREADY_COMPLETED\"}");
    }

    private void response(HttpExchange exchange, Request request) throws IOException {
        String state = state(request);
        if (!"COMPLETED".equals(state)) {
            ProviderSandbox.send(exchange, 400, "application/json", "{\"detail\":\"Request is still " + state.toLowerCase() + "\"}");
            return;
        }
        if (request.model().equals(FAILING)) {
            exchange.getResponseHeaders().set("X-Fal-Error-Type", "internal_error");
            ProviderSandbox.send(exchange, 500, "application/json",
                    "{\"detail\":\"The model crashed while generating\",\"error_type\":\"internal_error\"}");
            return;
        }
        List<String> images = new ArrayList<>();
        for (int i = 0; i < request.count(); i++) {
            String name = request.id() + "-" + i + ".png";
            long seed = request.seed() + i;
            files.computeIfAbsent(name, n -> png(request.width(), request.height(), seed));
            images.add("{\"url\":\"" + sandbox.baseUrl() + "/fal/files/" + name + "\",\"content_type\":\"image/png\",\"width\":"
                    + request.width() + ",\"height\":" + request.height() + "}");
        }
        ProviderSandbox.send(exchange, 200, "application/json", "{\"images\":[" + String.join(",", images) + "],\"seed\":"
                + request.seed() + ",\"has_nsfw_concepts\":[false]}");
    }

    private static byte[] png(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            float hue = (seed % 360) / 360f;
            g.setPaint(new GradientPaint(0, 0, Color.getHSBColor(hue, 0.6f, 0.9f), width, height,
                    Color.getHSBColor((hue + 0.3f) % 1f, 0.7f, 0.5f)));
            g.fillRect(0, 0, width, height);
        } finally {
            g.dispose();
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
