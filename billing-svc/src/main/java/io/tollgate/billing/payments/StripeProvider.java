package io.tollgate.billing.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.config.DeploymentSecrets;
import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;

/**
 * Stripe's protocol: a PaymentIntent created with the secret key (form-encoded), the customer sent
 * to the provider's page, and the outcome announced by a webhook signed with
 * {@code Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 over "t.raw body">}.
 */
@ApplicationScoped
@Startup
public class StripeProvider {

    /** What the provider said when the payment was created. */
    public record Created(String providerPaymentId, String clientSecret, String redirectUrl) {
    }

    private final Clock clock;
    private final String apiUrl;
    private final String checkoutUrl;
    private final String secretKey;
    private final String webhookSecret;
    private final Duration tolerance;
    private final ProviderApi api;
    private final PaymentLinks links;

    public StripeProvider(ObjectMapper json, Clock clock, PaymentLinks links,
                          @ConfigProperty(name = "tollgate.billing.stripe.api-url") String apiUrl,
                          @ConfigProperty(name = "tollgate.billing.stripe.checkout-url") String checkoutUrl,
                          @ConfigProperty(name = "tollgate.billing.stripe.secret-key") String secretKey,
                          @ConfigProperty(name = "tollgate.billing.stripe.webhook-secret") String webhookSecret,
                          @ConfigProperty(name = "tollgate.billing.stripe.tolerance", defaultValue = "PT5M") Duration tolerance) {
        DeploymentSecrets.require("tollgate.billing.stripe.secret-key", secretKey, "sk_test_sandbox");
        DeploymentSecrets.require("tollgate.billing.stripe.webhook-secret", webhookSecret, "whsec_sandbox");
        this.api = new ProviderApi("Stripe", json);
        this.links = links;
        this.clock = clock;
        this.apiUrl = apiUrl;
        this.checkoutUrl = checkoutUrl;
        this.secretKey = secretKey;
        this.webhookSecret = webhookSecret;
        this.tolerance = tolerance;
    }

    /** A card the provider keeps for off-session charges. */
    public record Card(String providerMethodId, String brand, String last4, int expMonth, int expYear) {
    }

    /** An off-session charge's immediate answer: succeeded, or declined with the reason. */
    public record Charged(String providerPaymentId, boolean succeeded, String declineReason) {
    }

    public Uni<Created> create(UUID paymentId, long amountMinor, String currency) {
        return create(paymentId, amountMinor, currency, false);
    }

    /** A checkout; {@code saveCard} asks the provider to keep the card for later off-session charges. */
    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 300, jitter = 100, retryOn = ProviderApi.Unavailable.class)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 30, delayUnit = ChronoUnit.SECONDS,
            failOn = {ProviderApi.Unavailable.class, TimeoutException.class})
    public Uni<Created> create(UUID paymentId, long amountMinor, String currency, boolean saveCard) {
        String form = "amount=" + amountMinor + "&currency=" + currency.toLowerCase(Locale.ROOT)
                + "&metadata%5Bpayment_id%5D=" + paymentId + "&automatic_payment_methods%5Benabled%5D=true"
                + (saveCard ? "&setup_future_usage=off_session" : "")
                // where the hosted page sends the customer when the payment is decided
                + "&return_url=" + URLEncoder.encode(links.url(paymentId), StandardCharsets.UTF_8);
        return api.call(post("/v1/payment_intents", paymentId, form)).map(intent -> {
            String id = intent.path("id").asText();
            return new Created(id, intent.path("client_secret").asText(null), checkoutUrl + "/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
        });
    }

    /** Charges a saved card without the customer (auto top-up). The webhook still follows and does the crediting. */
    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 300, jitter = 100, retryOn = ProviderApi.Unavailable.class)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 30, delayUnit = ChronoUnit.SECONDS,
            failOn = {ProviderApi.Unavailable.class, TimeoutException.class})
    public Uni<Charged> chargeSaved(UUID paymentId, long amountMinor, String currency, String providerMethodId) {
        String form = "amount=" + amountMinor + "&currency=" + currency.toLowerCase(Locale.ROOT)
                + "&metadata%5Bpayment_id%5D=" + paymentId + "&payment_method=" + URLEncoder.encode(providerMethodId, StandardCharsets.UTF_8)
                + "&confirm=true&off_session=true";
        return api.send(post("/v1/payment_intents", paymentId, form)).map(response -> {
            JsonNode answer = api.read(response.body());
            if (response.statusCode() == 200) {
                return new Charged(answer.path("id").asText(), "succeeded".equals(answer.path("status").asText()), null);
            }
            JsonNode error = answer.path("error");
            if (response.statusCode() == 402 && error.has("payment_intent")) {
                return new Charged(error.path("payment_intent").path("id").asText(), false, error.path("message").asText("declined"));
            }
            throw api.error("Stripe answered " + response.statusCode() + ": " + error.path("message").asText(""));
        });
    }

    /** A payment intent read back: its status, amount and the decline message if any. */
    public record Intent(String id, String status, long amountMinor, String currency, String declineReason) {
    }

    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 300, jitter = 100, retryOn = ProviderApi.Unavailable.class)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 30, delayUnit = ChronoUnit.SECONDS,
            failOn = {ProviderApi.Unavailable.class, TimeoutException.class})
    public Uni<Intent> intent(String providerPaymentId) {
        return api.call(get("/v1/payment_intents/" + URLEncoder.encode(providerPaymentId, StandardCharsets.UTF_8)))
                .map(i -> new Intent(i.path("id").asText(), i.path("status").asText(), i.path("amount").asLong(-1),
                        i.path("currency").asText(""), i.path("last_payment_error").path("message").asText(null)));
    }

    /** What to show of a saved card. */
    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 300, jitter = 100, retryOn = ProviderApi.Unavailable.class)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 30, delayUnit = ChronoUnit.SECONDS,
            failOn = {ProviderApi.Unavailable.class, TimeoutException.class})
    public Uni<Card> card(String providerMethodId) {
        return api.call(get("/v1/payment_methods/" + URLEncoder.encode(providerMethodId, StandardCharsets.UTF_8)))
                .map(answer -> {
                    JsonNode card = answer.path("card");
                    return new Card(providerMethodId, card.path("brand").asText("card"), card.path("last4").asText("????"),
                            card.path("exp_month").asInt(), card.path("exp_year").asInt());
                });
    }

    private HttpRequest post(String path, UUID idempotencyKey, String form) {
        return HttpRequest.newBuilder(URI.create(apiUrl + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + secretKey)
                .header("Idempotency-Key", idempotencyKey.toString())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create(apiUrl + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + secretKey).GET().build();
    }

    /** Checks the signature header against the raw body; 400 {@code INVALID_SIGNATURE} otherwise. */
    public void verify(String header, byte[] body) {
        if (header == null || header.isBlank()) {
            throw ProblemException.badRequest("INVALID_SIGNATURE", "The Stripe-Signature header is missing.");
        }
        long timestamp = -1;
        java.util.List<String> signatures = new java.util.ArrayList<>();
        for (String part : header.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) {
                continue;
            }
            if ("t".equals(kv[0])) {
                try {
                    timestamp = Long.parseLong(kv[1]);
                } catch (NumberFormatException e) {
                    timestamp = -1;
                }
            } else if ("v1".equals(kv[0])) {
                signatures.add(kv[1]);
            }
        }
        if (timestamp < 0 || signatures.isEmpty()) {
            throw ProblemException.badRequest("INVALID_SIGNATURE", "The Stripe-Signature header has no timestamp or v1 signature.");
        }
        long age = Math.abs(clock.instant().getEpochSecond() - timestamp);
        if (age > tolerance.toSeconds()) {
            throw ProblemException.badRequest("INVALID_SIGNATURE", "The signature's timestamp is outside the tolerance.");
        }
        byte[] expected = hmac(webhookSecret, (timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
        for (String candidate : signatures) {
            byte[] given;
            try {
                given = HexFormat.of().parseHex(candidate);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (MessageDigest.isEqual(expected, given)) {
                return;
            }
        }
        throw ProblemException.badRequest("INVALID_SIGNATURE", "No v1 signature matches the body.");
    }

    private static byte[] hmac(String secret, byte[] prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(prefix);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
