package io.tollgate.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A Stripe-style payment provider on this machine: the PaymentIntents API (form-encoded requests,
 * bearer secret key, JSON answers), a hosted page where a person pays or declines, and webhooks
 * signed the way Stripe signs them ({@code Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
 * "t.body">}). Tests start it in-process; {@code ./tollgate up} runs it so that a local checkout can
 * be completed in a browser.
 */
public final class ProviderSandbox implements AutoCloseable {

    /**
     * A payment intent as the sandbox keeps it. {@code setupFutureUsage} "off_session" saves the card
     * the customer pays with; {@code paymentMethod} is the card used (null until paid).
     */
    public record Intent(String id, long amount, String currency, String paymentId, String clientSecret, String status,
                         String setupFutureUsage, String paymentMethod, String returnUrl) {
        Intent with(String newStatus) {
            return new Intent(id, amount, currency, paymentId, clientSecret, newStatus, setupFutureUsage, paymentMethod, returnUrl);
        }

        Intent paidWith(String method) {
            return new Intent(id, amount, currency, paymentId, clientSecret, status, setupFutureUsage, method, returnUrl);
        }

        String json() {
            return "{\"id\":\"" + id + "\",\"object\":\"payment_intent\",\"amount\":" + amount + ",\"currency\":\"" + currency
                    + "\",\"status\":\"" + status + "\",\"client_secret\":\"" + clientSecret + "\",\"payment_method\":"
                    + (paymentMethod == null ? "null" : "\"" + paymentMethod + "\"")
                    + (setupFutureUsage == null ? "" : ",\"setup_future_usage\":\"" + setupFutureUsage + "\"")
                    + ",\"metadata\":{\"payment_id\":\"" + paymentId + "\"}}";
        }
    }

    /** A saved card. {@code declines}: off-session charges to it are declined (like Stripe's test cards). */
    public record PaymentMethod(String id, String brand, String last4, int expMonth, int expYear, boolean declines) {
        String json() {
            return "{\"id\":\"" + id + "\",\"object\":\"payment_method\",\"type\":\"card\",\"card\":{\"brand\":\"" + brand
                    + "\",\"last4\":\"" + last4 + "\",\"exp_month\":" + expMonth + ",\"exp_year\":" + expYear + "}}";
        }
    }

    private final HttpServer server;
    private final String secretKey;
    private final String webhookSecret;
    private volatile String webhookUrl;
    private final Map<String, Intent> intents = new ConcurrentHashMap<>();
    private final Map<String, PaymentMethod> methods = new ConcurrentHashMap<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SecureRandom random = new SecureRandom();
    private final YooKassaSandbox yookassa;
    private final CoinGateSandbox coingate;
    private final RenderQueueSandbox renderQueue;
    private final java.util.concurrent.atomic.AtomicInteger overloaded = new java.util.concurrent.atomic.AtomicInteger();

    private ProviderSandbox(int port, String secretKey, String webhookSecret, String webhookUrl) throws IOException {
        this.secretKey = secretKey;
        this.webhookSecret = webhookSecret;
        this.webhookUrl = webhookUrl;
        // loopback unless SANDBOX_BIND names another address (0.0.0.0 in its container); links name loopback
        this.server = HttpServer.create(new InetSocketAddress(env("SANDBOX_BIND", "127.0.0.1"), port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/stripe/v1/payment_intents", this::paymentIntents);
        server.createContext("/stripe/checkout/", this::checkout);
        server.createContext("/stripe/v1/payment_methods/", this::paymentMethods);
        this.yookassa = new YooKassaSandbox(this, env("SANDBOX_YOOKASSA_NOTIFY_URL", "http://127.0.0.1:8080/v1/billing/webhooks/yookassa"));
        this.coingate = new CoinGateSandbox(this);
        this.renderQueue = new RenderQueueSandbox(this);
        server.start();
    }

    public static ProviderSandbox start(int port, String secretKey, String webhookSecret, String webhookUrl) throws IOException {
        return new ProviderSandbox(port, secretKey, webhookSecret, webhookUrl);
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(env("SANDBOX_PORT", "8099"));
        ProviderSandbox sandbox = start(port, env("TOLLGATE_BILLING_STRIPE_SECRET_KEY", "sk_test_sandbox"),
                env("TOLLGATE_BILLING_STRIPE_WEBHOOK_SECRET", "whsec_sandbox"),
                env("SANDBOX_STRIPE_WEBHOOK_URL", "http://127.0.0.1:8080/v1/billing/webhooks/stripe"));
        MailSandbox mail = MailSandbox.start(Integer.parseInt(env("SANDBOX_SMTP_PORT", "2525")));
        sandbox.server.createContext("/mail/messages", exchange -> {
            StringBuilder json = new StringBuilder("[");
            for (MailSandbox.Message m : mail.messages()) {
                json.append(json.length() > 1 ? "," : "").append("{\"from\":").append(quote(m.from())).append(",\"to\":")
                        .append(quote(String.join(",", m.to()))).append(",\"subject\":").append(quote(m.subject()))
                        .append(",\"data\":").append(quote(m.data())).append('}');
            }
            send(exchange, 200, "application/json", json.append(']').toString());
        });
        System.out.println("provider sandbox listening on " + sandbox.baseUrl() + " (Stripe-style API under /stripe, YooKassa-style under "
                + "/yookassa, CoinGate-style under /coingate, a fal-style render queue under /fal, "
                + "mail received on SMTP port " + mail.port() + " listed at /mail/messages)");
    }

    private static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** The YooKassa-style provider on the same port, under {@code /yookassa}. */
    public YooKassaSandbox yookassa() {
        return yookassa;
    }

    /** The fal-style generation queue on the same port, under {@code /fal}. */
    public RenderQueueSandbox renderQueue() {
        return renderQueue;
    }

    /** The CoinGate-style provider on the same port, under {@code /coingate}. */
    public CoinGateSandbox coingate() {
        return coingate;
    }

    void mount(String path, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext(path, handler);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void webhookUrl(String url) {
        this.webhookUrl = url;
    }

    public Intent intent(String id) {
        return intents.get(id);
    }

    /** Makes off-session charges to a saved card decline from now on (an expired or blocked card). */
    public void declineOffSession(String paymentMethodId) {
        methods.computeIfPresent(paymentMethodId, (k, m) -> new PaymentMethod(m.id(), m.brand(), m.last4(), m.expMonth(), m.expYear(), true));
    }

    /** What a person does on the hosted page: pays (or declines) and the provider sends its webhook. */
    public int complete(String intentId, boolean pay) throws IOException, InterruptedException {
        String card = pay ? "pm_" + token(24) : null;
        Intent intent = intents.computeIfPresent(intentId, (k, v) -> {
            Intent next = v.with(pay ? "succeeded" : "requires_payment_method");
            return card == null ? next : next.paidWith(card);
        });
        if (intent == null) {
            throw new IllegalArgumentException("no intent " + intentId);
        }
        if (card != null && "off_session".equals(intent.setupFutureUsage())) {
            methods.put(card, new PaymentMethod(card, "visa", "4242", 12, java.time.Year.now().getValue() + 3, false));
        }
        return announce(intent, pay);
    }

    private int announce(Intent intent, boolean pay) throws IOException, InterruptedException {
        String type = pay ? "payment_intent.succeeded" : "payment_intent.payment_failed";
        String failure = pay ? "" : ",\"last_payment_error\":{\"code\":\"card_declined\",\"message\":\"Your card was declined.\"}";
        String body = "{\"id\":\"evt_" + token(24) + "\",\"object\":\"event\",\"type\":\"" + type + "\",\"created\":"
                + Instant.now().getEpochSecond() + ",\"data\":{\"object\":" + intent.json().substring(0, intent.json().length() - 1)
                + failure + "}}}";
        return deliver(body);
    }

    /** Sends {@code body} to the webhook URL, signed now; answers the receiver's status. */
    public int deliver(String body) throws IOException, InterruptedException {
        long t = Instant.now().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(URI.create(webhookUrl)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Stripe-Signature", "t=" + t + ",v1=" + sign(webhookSecret, t + "." + body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static String sign(String secret, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next {@code requests} calls to the payment intents API answer 503 before doing anything (tests of retries). */
    public void overloadNext(int requests) {
        overloaded.set(requests);
    }

    private void paymentIntents(HttpExchange exchange) throws IOException {
        if (overloaded.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            send(exchange, 503, "application/json", "{\"error\":{\"type\":\"api_error\",\"message\":\"Overloaded; retry.\"}}");
            return;
        }
        if (!("Bearer " + secretKey).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "application/json",
                    "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Invalid API Key provided.\"}}");
            return;
        }
        String path = exchange.getRequestURI().getPath();
        if ("GET".equals(exchange.getRequestMethod())) {
            Intent intent = intents.get(path.substring(path.lastIndexOf('/') + 1));
            if (intent == null) {
                send(exchange, 404, "application/json", "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"resource_missing\"}}");
            } else {
                send(exchange, 200, "application/json", intent.json());
            }
            return;
        }
        Map<String, String> form = form(exchange.getRequestBody());
        long amount;
        try {
            amount = Long.parseLong(form.getOrDefault("amount", ""));
        } catch (NumberFormatException e) {
            amount = 0;
        }
        String currency = form.getOrDefault("currency", "");
        if (amount < 1 || !currency.matches("^[a-z]{3}$")) {
            send(exchange, 400, "application/json",
                    "{\"error\":{\"type\":\"invalid_request_error\",\"param\":\"amount\",\"message\":\"Invalid amount or currency.\"}}");
            return;
        }
        String id = "pi_" + token(24);
        String method = form.get("payment_method");
        Intent intent = new Intent(id, amount, currency, form.getOrDefault("metadata[payment_id]", ""),
                id + "_secret_" + token(16), "requires_payment_method", form.get("setup_future_usage"), null, form.get("return_url"));
        if (method != null && "true".equals(form.get("confirm"))) {
            // an off-session charge to a saved card: decided at once, announced by webhook too
            PaymentMethod card = methods.get(method);
            if (card == null) {
                send(exchange, 400, "application/json", "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"resource_missing\","
                        + "\"param\":\"payment_method\",\"message\":\"No such PaymentMethod: '" + method + "'\"}}");
                return;
            }
            Intent decided = intent.paidWith(method).with(card.declines() ? "requires_payment_method" : "succeeded");
            intents.put(id, decided);
            Thread.ofVirtual().start(() -> {
                try {
                    announce(decided, !card.declines());
                } catch (IOException | InterruptedException e) {
                    // the merchant can still read the intent back
                }
            });
            if (card.declines()) {
                send(exchange, 402, "application/json", "{\"error\":{\"type\":\"card_error\",\"code\":\"card_declined\","
                        + "\"message\":\"Your card was declined.\",\"payment_intent\":" + decided.json() + "}}");
            } else {
                send(exchange, 200, "application/json", decided.json());
            }
            return;
        }
        intents.put(id, intent);
        send(exchange, 200, "application/json", intent.json());
    }

    private void paymentMethods(HttpExchange exchange) throws IOException {
        if (!("Bearer " + secretKey).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "application/json",
                    "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Invalid API Key provided.\"}}");
            return;
        }
        String path = exchange.getRequestURI().getPath();
        PaymentMethod method = methods.get(path.substring(path.lastIndexOf('/') + 1));
        if (method == null) {
            send(exchange, 404, "application/json", "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"resource_missing\"}}");
        } else {
            send(exchange, 200, "application/json", method.json());
        }
    }

    private void checkout(HttpExchange exchange) throws IOException {
        String rest = exchange.getRequestURI().getPath().substring("/stripe/checkout/".length());
        String id = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        Intent intent = intents.get(id);
        if (intent == null) {
            send(exchange, 404, "text/plain", "no such payment");
            return;
        }
        if ("POST".equals(exchange.getRequestMethod())) {
            try {
                int status = complete(id, rest.endsWith("/pay"));
                if (!returnTo(exchange, intent.returnUrl())) {
                    send(exchange, 200, "text/html", "<p>Done: the merchant answered " + status + ". You can close this page.</p>");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                send(exchange, 500, "text/plain", "interrupted");
            }
            return;
        }
        String amount = String.format("%d.%02d %s", intent.amount() / 100, intent.amount() % 100, intent.currency().toUpperCase());
        send(exchange, 200, "text/html", "<!doctype html><html lang=en><title>Sandbox checkout</title><main><h1>Pay " + amount + "</h1>"
                + "<form method=post action=/stripe/checkout/" + id + "/pay><button>Pay</button></form>"
                + "<form method=post action=/stripe/checkout/" + id + "/decline><button>Decline</button></form></main>");
    }

    /**
     * Sends the customer back to the merchant's {@code returnUrl} (303 after the form's POST), as the
     * provider's hosted page does once the payment is decided; false when the merchant gave none.
     */
    static boolean returnTo(HttpExchange exchange, String returnUrl) throws IOException {
        if (returnUrl == null || !(returnUrl.startsWith("http://") || returnUrl.startsWith("https://"))) {
            return false;
        }
        exchange.getResponseHeaders().set("Location", returnUrl);
        exchange.sendResponseHeaders(303, -1);
        exchange.close();
        return true;
    }

    static Map<String, String> form(InputStream in) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private String token(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
