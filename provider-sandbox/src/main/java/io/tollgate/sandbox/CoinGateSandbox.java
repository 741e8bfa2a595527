package io.tollgate.sandbox;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A CoinGate-style provider: {@code POST /coingate/v2/orders} ({@code Authorization: Token ...},
 * form-encoded, with the merchant's {@code callback_url} and per-order {@code token}) answering a
 * {@code payment_url}; a page where the buyer pays or gives up; then a form-encoded callback with
 * the order's id, status and token. {@code GET /coingate/v2/orders/{id}} reads an order back.
 */
public final class CoinGateSandbox {

    public static final String API_TOKEN = "cg_sandbox_api_token";

    /** An order as the sandbox keeps it. */
    public record Order(long id, String orderId, long amountMinor, String currency, String status, String callbackUrl, String token) {
        String json(String baseUrl) {
            return "{\"id\":" + id + ",\"order_id\":\"" + orderId + "\",\"status\":\"" + status + "\",\"price_amount\":\""
                    + BigDecimal.valueOf(amountMinor, 2).toPlainString() + "\",\"price_currency\":\"" + currency
                    + "\",\"receive_currency\":\"" + currency + "\",\"payment_url\":\"" + baseUrl + "/coingate/checkout/" + id + "\"}";
        }
    }

    private final ProviderSandbox sandbox;
    private final Map<Long, Order> orders = new ConcurrentHashMap<>();
    /** success_url and cancel_url of each order: where the hosted page sends the customer. */
    private final Map<Long, String[]> returnUrls = new java.util.concurrent.ConcurrentHashMap<>();
    // ids unique across restarts, as the real service's are
    private final AtomicLong ids = new AtomicLong(System.currentTimeMillis());
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile String callbackOverride;

    CoinGateSandbox(ProviderSandbox sandbox) {
        this.sandbox = sandbox;
        sandbox.mount("/coingate/v2/orders", this::api);
        sandbox.mount("/coingate/checkout/", this::checkout);
    }

    /** Sends callbacks here instead of each order's callback_url (a merchant whose port is only known later). */
    public void callbackOverride(String url) {
        this.callbackOverride = url;
    }

    /** The order the merchant created for {@code orderId} (its own id, e.g. {@code topup_...}). */
    public Order byMerchantOrderId(String orderId) {
        return orders.values().stream().filter(o -> o.orderId().equals(orderId)).findFirst().orElse(null);
    }

    public Order order(long id) {
        return orders.get(id);
    }

    /** The buyer pays (status paid) or the order is canceled; the merchant's callback follows. Answers its status. */
    public int complete(long id, boolean pay) throws IOException, InterruptedException {
        Order o = orders.computeIfPresent(id, (k, v) -> new Order(v.id(), v.orderId(), v.amountMinor(), v.currency(),
                pay ? "paid" : "canceled", v.callbackUrl(), v.token()));
        if (o == null) {
            throw new IllegalArgumentException("no order " + id);
        }
        return callback(o, o.token());
    }

    /** Posts the callback of {@code o} with the given token (a forger would not know the real one). */
    public int callback(Order o, String token) throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("id", Long.toString(o.id()));
        form.put("order_id", o.orderId());
        form.put("status", o.status());
        form.put("price_amount", BigDecimal.valueOf(o.amountMinor(), 2).toPlainString());
        form.put("price_currency", o.currency());
        form.put("receive_currency", o.currency());
        form.put("token", token);
        String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        String target = callbackOverride != null ? callbackOverride : o.callbackUrl();
        HttpRequest request = HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void api(HttpExchange exchange) throws IOException {
        if (!("Token " + API_TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            ProviderSandbox.send(exchange, 401, "application/json", "{\"message\":\"Unauthorized\",\"reason\":\"BadAuthToken\"}");
            return;
        }
        String path = exchange.getRequestURI().getPath();
        if ("GET".equals(exchange.getRequestMethod())) {
            Order o;
            try {
                o = orders.get(Long.parseLong(path.substring(path.lastIndexOf('/') + 1)));
            } catch (NumberFormatException e) {
                o = null;
            }
            if (o == null) {
                ProviderSandbox.send(exchange, 404, "application/json", "{\"message\":\"Order not found\",\"reason\":\"OrderNotFound\"}");
            } else {
                ProviderSandbox.send(exchange, 200, "application/json", o.json(sandbox.baseUrl()));
            }
            return;
        }
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        long amount;
        try {
            amount = new BigDecimal(form.getOrDefault("price_amount", "")).movePointRight(2).longValueExact();
        } catch (RuntimeException e) {
            amount = 0;
        }
        if (amount <= 0 || !form.getOrDefault("price_currency", "").matches("^[A-Z]{3}$") || !form.containsKey("callback_url")) {
            ProviderSandbox.send(exchange, 422, "application/json", "{\"message\":\"Order is not valid\",\"reason\":\"OrderIsNotValid\"}");
            return;
        }
        long id = ids.incrementAndGet();
        Order o = new Order(id, form.getOrDefault("order_id", ""), amount, form.get("price_currency"), "new", form.get("callback_url"),
                form.getOrDefault("token", ""));
        orders.put(id, o);
        returnUrls.put(id, new String[] {form.get("success_url"), form.get("cancel_url")});
        ProviderSandbox.send(exchange, 200, "application/json", o.json(sandbox.baseUrl()));
    }

    private void checkout(HttpExchange exchange) throws IOException {
        String rest = exchange.getRequestURI().getPath().substring("/coingate/checkout/".length());
        String idText = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        Order o;
        try {
            o = orders.get(Long.parseLong(idText));
        } catch (NumberFormatException e) {
            o = null;
        }
        if (o == null) {
            ProviderSandbox.send(exchange, 404, "text/plain", "no such order");
            return;
        }
        if ("POST".equals(exchange.getRequestMethod())) {
            try {
                boolean pay = rest.endsWith("/pay");
                int status = complete(o.id(), pay);
                String[] back = returnUrls.getOrDefault(o.id(), new String[2]);
                if (!ProviderSandbox.returnTo(exchange, pay ? back[0] : back[1])) {
                    ProviderSandbox.send(exchange, 200, "text/html", "<p>Done: the merchant answered " + status + ".</p>");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ProviderSandbox.send(exchange, 500, "text/plain", "interrupted");
            }
            return;
        }
        ProviderSandbox.send(exchange, 200, "text/html", "<!doctype html><title>Sandbox CoinGate</title><h1>Pay "
                + BigDecimal.valueOf(o.amountMinor(), 2).toPlainString() + " " + o.currency() + " in crypto</h1>"
                + "<form method=post action=/coingate/checkout/" + o.id() + "/pay><button>Pay</button></form>"
                + "<form method=post action=/coingate/checkout/" + o.id() + "/cancel><button>Cancel</button></form>");
    }
}
