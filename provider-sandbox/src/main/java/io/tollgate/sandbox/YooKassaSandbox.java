package io.tollgate.sandbox;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YooKassa-style provider: {@code POST /yookassa/v3/payments} (HTTP Basic shop id and secret key,
 * {@code Idempotence-Key}, amounts as decimal strings) answering a {@code confirmation_url}; a
 * page where the customer pays or cancels; then an unsigned notification
 * {@code {"type":"notification","event":"payment.succeeded","object":{...}}} to the merchant, who
 * reads the payment back with {@code GET /yookassa/v3/payments/{id}}.
 */
public final class YooKassaSandbox {

    public static final String SHOP_ID = "100500";
    public static final String SECRET_KEY = "test_sandbox_yookassa";

    /** A payment as the sandbox keeps it. */
    public record Payment(String id, long amountMinor, String currency, String paymentId, String status, String cancellationReason) {
        String json(String baseUrl) {
            return "{\"id\":\"" + id + "\",\"status\":\"" + status + "\",\"paid\":" + "succeeded".equals(status)
                    + ",\"amount\":{\"value\":\"" + BigDecimal.valueOf(amountMinor, 2).toPlainString() + "\",\"currency\":\"" + currency + "\"}"
                    + ",\"confirmation\":{\"type\":\"redirect\",\"confirmation_url\":\"" + baseUrl + "/yookassa/checkout/" + id + "\"}"
                    + (cancellationReason == null ? "" : ",\"cancellation_details\":{\"party\":\"payment_network\",\"reason\":\""
                    + cancellationReason + "\"}")
                    + ",\"created_at\":\"" + Instant.now() + "\",\"metadata\":{\"payment_id\":\"" + paymentId + "\"}}";
        }
    }

    private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*\"([0-9]+(?:\\.[0-9]{1,2})?)\"");
    private static final Pattern CURRENCY = Pattern.compile("\"currency\"\\s*:\\s*\"([A-Z]{3})\"");
    private static final Pattern PAYMENT_ID = Pattern.compile("\"payment_id\"\\s*:\\s*\"([^\"]+)\"");

    private final ProviderSandbox sandbox;
    private final Map<String, Payment> payments = new ConcurrentHashMap<>();
    /** confirmation.return_url of each payment: where the hosted page sends the customer when it is decided. */
    private final Map<String, String> returnUrls = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Pattern RETURN_URL = Pattern.compile("\"return_url\"\\s*:\\s*\"([^\"]+)\"");
    private final Map<String, String> byIdempotenceKey = new ConcurrentHashMap<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile String notifyUrl;

    YooKassaSandbox(ProviderSandbox sandbox, String notifyUrl) {
        this.sandbox = sandbox;
        this.notifyUrl = notifyUrl;
        sandbox.mount("/yookassa/v3/payments", this::api);
        sandbox.mount("/yookassa/checkout/", this::checkout);
    }

    public void notifyUrl(String url) {
        this.notifyUrl = url;
    }

    public Payment payment(String id) {
        return payments.get(id);
    }

    /** The customer pays (or the bank declines): the payment is decided and the merchant notified; answers its status. */
    public int complete(String id, boolean pay) throws IOException, InterruptedException {
        Payment p = payments.computeIfPresent(id, (k, v) -> new Payment(v.id(), v.amountMinor(), v.currency(), v.paymentId(),
                pay ? "succeeded" : "canceled", pay ? null : "card_expired"));
        if (p == null) {
            throw new IllegalArgumentException("no payment " + id);
        }
        return notify(p);
    }

    /** Sends the notification of {@code p} as it stands (tests send it again to see it deduplicated). */
    public int notify(Payment p) throws IOException, InterruptedException {
        String event = "succeeded".equals(p.status()) ? "payment.succeeded" : "payment.canceled";
        String body = "{\"type\":\"notification\",\"event\":\"" + event + "\",\"object\":" + p.json(sandbox.baseUrl()) + "}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(notifyUrl)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void api(HttpExchange exchange) throws IOException {
        String expected = "Basic " + Base64.getEncoder().encodeToString((SHOP_ID + ":" + SECRET_KEY).getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            ProviderSandbox.send(exchange, 401, "application/json", "{\"type\":\"error\",\"code\":\"invalid_credentials\"}");
            return;
        }
        String path = exchange.getRequestURI().getPath();
        if ("GET".equals(exchange.getRequestMethod())) {
            Payment p = payments.get(path.substring(path.lastIndexOf('/') + 1));
            if (p == null) {
                ProviderSandbox.send(exchange, 404, "application/json", "{\"type\":\"error\",\"code\":\"not_found\"}");
            } else {
                ProviderSandbox.send(exchange, 200, "application/json", p.json(sandbox.baseUrl()));
            }
            return;
        }
        String key = exchange.getRequestHeaders().getFirst("Idempotence-Key");
        if (key == null || key.isBlank()) {
            ProviderSandbox.send(exchange, 400, "application/json", "{\"type\":\"error\",\"code\":\"invalid_request\",\"parameter\":\"Idempotence-Key\"}");
            return;
        }
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String known = byIdempotenceKey.get(key);
        if (known != null) {
            ProviderSandbox.send(exchange, 200, "application/json", payments.get(known).json(sandbox.baseUrl()));
            return;
        }
        Matcher value = VALUE.matcher(body);
        Matcher currency = CURRENCY.matcher(body);
        Matcher paymentId = PAYMENT_ID.matcher(body);
        if (!value.find() || !currency.find()) {
            ProviderSandbox.send(exchange, 400, "application/json", "{\"type\":\"error\",\"code\":\"invalid_request\",\"parameter\":\"amount\"}");
            return;
        }
        String id = UUID.randomUUID().toString();
        Payment p = new Payment(id, new BigDecimal(value.group(1)).movePointRight(2).longValueExact(), currency.group(1),
                paymentId.find() ? paymentId.group(1) : "", "pending", null);
        payments.put(id, p);
        byIdempotenceKey.put(key, id);
        Matcher back = RETURN_URL.matcher(body);
        if (back.find()) {
            returnUrls.put(id, back.group(1).replace("\\/", "/"));
        }
        ProviderSandbox.send(exchange, 200, "application/json", p.json(sandbox.baseUrl()));
    }

    private void checkout(HttpExchange exchange) throws IOException {
        String rest = exchange.getRequestURI().getPath().substring("/yookassa/checkout/".length());
        String id = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        Payment p = payments.get(id);
        if (p == null) {
            ProviderSandbox.send(exchange, 404, "text/plain", "no such payment");
            return;
        }
        if ("POST".equals(exchange.getRequestMethod())) {
            try {
                int status = complete(id, rest.endsWith("/pay"));
                if (!ProviderSandbox.returnTo(exchange, returnUrls.get(id))) {
                    ProviderSandbox.send(exchange, 200, "text/html", "<p>Done: the merchant answered " + status + ".</p>");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ProviderSandbox.send(exchange, 500, "text/plain", "interrupted");
            }
            return;
        }
        ProviderSandbox.send(exchange, 200, "text/html", "<!doctype html><title>Sandbox YooKassa</title><h1>Pay "
                + BigDecimal.valueOf(p.amountMinor(), 2).toPlainString() + " " + p.currency() + "</h1>"
                + "<form method=post action=/yookassa/checkout/" + id + "/pay><button>Pay</button></form>"
                + "<form method=post action=/yookassa/checkout/" + id + "/cancel><button>Cancel</button></form>");
    }
}
