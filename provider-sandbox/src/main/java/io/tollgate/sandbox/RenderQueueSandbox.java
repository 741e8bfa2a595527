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
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>Callbacks: a submit with {@code ?fal_webhook=<url>} gets, when the request ends, a POST of
 * {@code {request_id, gateway_request_id, status: OK|ERROR, payload, error}} to that URL, signed as
 * fal signs: Ed25519 over {@code request_id \n user_id \n timestamp \n sha256-hex(body)} in
 * {@code X-Fal-Webhook-Signature} (hex), with the key published at {@code /fal/.well-known/jwks.json}.
 * A delivery that is not answered 2xx is tried twice more, a second apart.
 */
public final class RenderQueueSandbox {

    public static final String API_KEY = "fal_sandbox_key";
    public static final String FAST = "tollgate-sandbox/fast-image";
    public static final String FAILING = "tollgate-sandbox/failing-image";
    /** Listed in the catalogue, priced per megapixel, rendered as the fast model is. */
    public static final String SQUARE = "tollgate-sandbox/square-image";
    /** Listed in the catalogue with a price unit a platform may not rate (per thousand characters). */
    public static final String VOICE = "tollgate-sandbox/voice-clone";
    /** The catalogue's page size, whatever a caller asks, so that its paging is exercised. */
    public static final int CATALOGUE_PAGE = 2;

    private static final Pattern INT = Pattern.compile("\"(width|height|num_images|seed)\"\\s*:\\s*(\\d+)");
    private static final Pattern REQUEST = Pattern.compile("^/fal/(.+?)/requests/([0-9a-f-]{36})(/status|/cancel)?$");

    /** The user id the sandbox's callbacks carry. */
    public static final String CALLBACK_USER = "tollgate-sandbox-user";

    /** A queued request as the sandbox keeps it. */
    public record Request(String id, String model, int width, int height, int count, long seed, Instant queuedAt,
                          boolean cancelled) {
    }

    /** One attempt to deliver a callback, and the HTTP status it got (0 when the address did not answer). */
    public record Callback(String requestId, String url, int status) {
    }

    private final ProviderSandbox sandbox;
    private final Map<String, Request> requests = new ConcurrentHashMap<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final AtomicInteger submits = new AtomicInteger();
    private final AtomicInteger unavailable = new AtomicInteger();
    private volatile Duration queue = Duration.ofMillis(200);
    private volatile Duration run = Duration.ofMillis(400);
    private final Map<String, AtomicInteger> statusPolls = new ConcurrentHashMap<>();
    private final List<Callback> callbacks = new CopyOnWriteArrayList<>();
    private final KeyPair signing;
    private final String jwks;
    private final ScheduledExecutorService deliveries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox-fal-callbacks");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Map<String, Integer> promptLimits = new ConcurrentHashMap<>(Map.of(FAST, 2000, FAILING, 2000, SQUARE, 1000, VOICE, 500));

    RenderQueueSandbox(ProviderSandbox sandbox) {
        this.sandbox = sandbox;
        try {
            this.signing = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        byte[] spki = signing.getPublic().getEncoded();
        String x = Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
        this.jwks = "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"sandbox-1\",\"use\":\"sig\",\"alg\":\"EdDSA\",\"x\":\""
                + x + "\"}]}";
        sandbox.mount("/fal/", this::handle);
    }

    /** Where the sandbox publishes the key its callbacks are signed with. */
    public String jwksUrl() {
        return sandbox.baseUrl() + "/fal/.well-known/jwks.json";
    }

    /** The signature the sandbox puts on a callback with these values (hex), for tests that act as the provider. */
    public String sign(String requestId, String userId, String timestamp, byte[] body) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(signing.getPrivate());
            signer.update((requestId + "\n" + userId + "\n" + timestamp + "\n"
                    + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body))).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Changes the longest prompt a model's published input schema allows (its catalogue entry changes; requests do not). */
    public void revisePromptLimit(String model, int maxLength) {
        promptLimits.put(model, maxLength);
    }

    /** Every callback delivery attempt so far. */
    public List<Callback> callbacks() {
        return List.copyOf(callbacks);
    }

    /** How many times a request's status was asked for. */
    public int statusPolls(String requestId) {
        AtomicInteger n = statusPolls.get(requestId);
        return n == null ? 0 : n.get();
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
        if (path.equals("/fal/.well-known/jwks.json")) {
            ProviderSandbox.send(exchange, 200, "application/json", jwks);
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
        String method = exchange.getRequestMethod();
        if ("GET".equals(method) && path.equals("/fal/v1/models")) {
            catalogue(exchange);
            return;
        }
        if ("GET".equals(method) && path.equals("/fal/v1/models/pricing")) {
            pricing(exchange);
            return;
        }
        Matcher m = REQUEST.matcher(path);
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
        if (!model.equals(FAST) && !model.equals(FAILING) && !model.equals(SQUARE)) {
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
        Request queued = new Request(id, model, width, height, count, seed, Instant.now(), false);
        requests.put(id, queued);
        submits.incrementAndGet();
        String webhook = query(exchange.getRequestURI().getRawQuery(), "fal_webhook");
        if (webhook != null) {
            deliveries.schedule(() -> deliver(id, webhook, 1), queue.plus(run).toMillis() + 20, TimeUnit.MILLISECONDS);
        }
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

    /** The models' list (fal's platform API shape), {@value #CATALOGUE_PAGE} a page, with OpenAPI documents on {@code expand=openapi-3.0}. */
    private void catalogue(HttpExchange exchange) throws IOException {
        String raw = exchange.getRequestURI().getRawQuery();
        boolean openapi = "openapi-3.0".equals(query(raw, "expand"));
        List<String> listed = List.of(FAST, FAILING, SQUARE, VOICE, "tollgate-sandbox/legacy-image");
        int from = 0;
        String cursor = query(raw, "cursor");
        if (cursor != null) {
            try {
                from = Integer.parseInt(cursor);
            } catch (NumberFormatException e) {
                ProviderSandbox.send(exchange, 400, "application/json", "{\"detail\":\"Invalid cursor\"}");
                return;
            }
        }
        List<String> entries = new ArrayList<>();
        int to = Math.min(listed.size(), from + CATALOGUE_PAGE);
        for (String id : listed.subList(Math.min(from, listed.size()), to)) {
            boolean legacy = id.endsWith("legacy-image");
            String category = id.equals(VOICE) ? "text-to-speech" : "text-to-image";
            StringBuilder e = new StringBuilder("{\"endpoint_id\":\"").append(id).append("\",\"metadata\":{\"display_name\":\"")
                    .append(id.substring(id.indexOf('/') + 1).replace('-', ' ')).append("\",\"category\":\"").append(category)
                    .append("\",\"description\":\"A sandbox model (").append(id).append(")\",\"status\":\"")
                    .append(legacy ? "deprecated" : "active").append("\",\"tags\":[\"sandbox\",\"Fast\"]}");
            if (openapi) {
                e.append(",\"openapi\":").append(openapi(id));
            }
            entries.add(e.append('}').toString());
        }
        boolean more = to < listed.size();
        ProviderSandbox.send(exchange, 200, "application/json", "{\"models\":[" + String.join(",", entries) + "],\"next_cursor\":"
                + (more ? "\"" + to + "\"" : "null") + ",\"has_more\":" + more + "}");
    }

    private String openapi(String id) {
        int prompt = promptLimits.getOrDefault(id, 2000);
        String size = id.equals(SQUARE) ? "1024" : "2048";
        String properties = "\"prompt\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":" + prompt + ",\"x-fal-order\":0,"
                + "\"example\":\"a fox\"}"
                + (id.equals(VOICE) ? ",\"voice\":{\"$ref\":\"#/components/schemas/Voice\"}"
                : ",\"width\":{\"$ref\":\"#/components/schemas/Side\"},\"height\":{\"$ref\":\"#/components/schemas/Side\"}"
                + (id.equals(SQUARE) ? "" : ",\"num_images\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":4,\"default\":1}"));
        String input = id.equals(FAILING)
                ? "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"prompt\"],\"properties\":{\"prompt\":"
                + "{\"type\":\"string\",\"minLength\":1,\"maxLength\":" + prompt + "},\"num_images\":{\"type\":\"integer\","
                + "\"minimum\":1,\"maximum\":4,\"default\":1}}}"
                : "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"prompt\"],\"properties\":{" + properties + "}}";
        return "{\"openapi\":\"3.0.4\",\"info\":{\"title\":\"" + id + "\",\"version\":\"1.0.0\"},\"paths\":{\"/" + id
                + "\":{\"post\":{\"requestBody\":{\"required\":true,\"content\":{\"application/json\":{\"schema\":"
                + "{\"$ref\":\"#/components/schemas/Input\"}}}},\"responses\":{\"200\":{\"description\":\"queued\"}}}}},"
                + "\"components\":{\"schemas\":{\"Input\":" + input + ",\"Side\":{\"type\":\"integer\",\"minimum\":64,"
                + "\"maximum\":" + size + ",\"default\":512,\"nullable\":false},\"Voice\":{\"type\":\"string\","
                + "\"enum\":[\"alloy\",\"ember\"]}}}}";
    }

    /** Prices of the models named by {@code endpoint_id} (repeated). */
    private void pricing(HttpExchange exchange) throws IOException {
        List<String> prices = new ArrayList<>();
        String raw = exchange.getRequestURI().getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            if (!pair.startsWith("endpoint_id=")) {
                continue;
            }
            String id = URLDecoder.decode(pair.substring("endpoint_id=".length()), StandardCharsets.UTF_8);
            String unit = switch (id) {
                case FAST, FAILING -> "\"unit_price\":0.03,\"unit\":\"image\"";
                case SQUARE -> "\"unit_price\":0.01,\"unit\":\"megapixels\"";
                case VOICE -> "\"unit_price\":0.05,\"unit\":\"1k_characters\"";
                default -> null;
            };
            if (unit != null) {
                prices.add("{\"endpoint_id\":\"" + id + "\"," + unit + ",\"currency\":\"USD\"}");
            }
        }
        ProviderSandbox.send(exchange, 200, "application/json", "{\"prices\":[" + String.join(",", prices)
                + "],\"next_cursor\":null,\"has_more\":false}");
    }

    private static String query(String raw, String name) {
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** Posts the signed callback for a request that ended (none for a cancelled one); tried up to three times. */
    private void deliver(String id, String url, int attempt) {
        Request request = requests.get(id);
        if (request == null || request.cancelled()) {
            return;
        }
        String body = request.model().equals(FAILING)
                ? "{\"request_id\":\"" + id + "\",\"gateway_request_id\":\"" + id + "\",\"status\":\"ERROR\","
                + "\"error\":\"The model crashed while generating\",\"payload\":{\"detail\":\"The model crashed while generating\","
                + "\"error_type\":\"internal_error\"}}"
                : "{\"request_id\":\"" + id + "\",\"gateway_request_id\":\"" + id + "\",\"status\":\"OK\",\"payload\":"
                + result(request) + "}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        int status = 0;
        try {
            status = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("X-Fal-Webhook-Request-Id", id)
                    .header("X-Fal-Webhook-User-Id", CALLBACK_USER)
                    .header("X-Fal-Webhook-Timestamp", timestamp)
                    .header("X-Fal-Webhook-Signature", sign(id, CALLBACK_USER, timestamp, bytes))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            status = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (IllegalArgumentException e) {
            status = 0;
        }
        callbacks.add(new Callback(id, url, status));
        if ((status < 200 || status > 299) && attempt < 3) {
            deliveries.schedule(() -> deliver(id, url, attempt + 1), 1, TimeUnit.SECONDS);
        }
    }

    private void status(HttpExchange exchange, Request request) throws IOException {
        statusPolls.computeIfAbsent(request.id(), k -> new AtomicInteger()).incrementAndGet();
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
        ProviderSandbox.send(exchange, 200, "application/json", result(request));
    }

    /** A finished request's output (its files made on first use). */
    private String result(Request request) {
        List<String> images = new ArrayList<>();
        for (int i = 0; i < request.count(); i++) {
            String name = request.id() + "-" + i + ".png";
            long seed = request.seed() + i;
            files.computeIfAbsent(name, n -> png(request.width(), request.height(), seed));
            images.add("{\"url\":\"" + sandbox.baseUrl() + "/fal/files/" + name + "\",\"content_type\":\"image/png\",\"width\":"
                    + request.width() + ",\"height\":" + request.height() + "}");
        }
        return "{\"images\":[" + String.join(",", images) + "],\"seed\":" + request.seed() + ",\"has_nsfw_concepts\":[false]}";
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
