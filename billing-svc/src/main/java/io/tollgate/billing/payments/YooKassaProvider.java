package io.tollgate.billing.payments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.config.DeploymentSecrets;
import io.tollgate.kit.net.IpRules;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * YooKassa's protocol: a payment created with HTTP Basic (shop id and secret key) and an
 * {@code Idempotence-Key}, amounts as decimal strings; the customer confirms at the
 * {@code confirmation_url}; the outcome comes as an unsigned notification, so it is accepted only
 * from YooKassa's published addresses and only after the payment is fetched back from the API.
 */
@ApplicationScoped
@Startup
public class YooKassaProvider {

    /** A payment as the API answers it. */
    public record Fetched(String id, String status, long amountMinor, String currency, String cancellationReason) {
    }

    private final ObjectMapper json;
    private final String apiUrl;
    private final String authorization;
    private final PaymentLinks links;
    private final List<String> allowedIps;
    private final ProviderApi api;

    public YooKassaProvider(ObjectMapper json, PaymentLinks links,
                            @ConfigProperty(name = "tollgate.billing.yookassa.api-url") String apiUrl,
                            @ConfigProperty(name = "tollgate.billing.yookassa.shop-id") String shopId,
                            @ConfigProperty(name = "tollgate.billing.yookassa.secret-key") String secretKey,
                            @ConfigProperty(name = "tollgate.billing.yookassa.allowed-ips") List<String> allowedIps) {
        DeploymentSecrets.require("tollgate.billing.yookassa.secret-key", secretKey, "test_sandbox_yookassa");
        this.json = json;
        this.api = new ProviderApi("YooKassa", json);
        this.apiUrl = apiUrl;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((shopId + ":" + secretKey).getBytes(StandardCharsets.UTF_8));
        this.links = links;
        this.allowedIps = allowedIps;
        for (String rule : allowedIps) {
            if (IpRules.problem(rule) != null) {
                throw new IllegalStateException("tollgate.billing.yookassa.allowed-ips: '" + rule + "' " + IpRules.problem(rule));
            }
        }
    }

    /** Whether a notification may come from this address. */
    public boolean allowed(String ip) {
        return ip != null && IpRules.problem(ip) == null && IpRules.allows(allowedIps, ip);
    }

    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 300, jitter = 100, retryOn = ProviderApi.Unavailable.class)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 30, delayUnit = ChronoUnit.SECONDS,
            failOn = {ProviderApi.Unavailable.class, TimeoutException.class})
    public Uni<StripeProvider.Created> create(UUID paymentId, long amountMinor, String currency) {
        ObjectNode body = json.createObjectNode();
        body.putObject("amount").put("value", decimal(amountMinor)).put("currency", currency);
        body.put("capture", true);
        body.putObject("confirmation").put("type", "redirect").put("return_url", links.url(paymentId));
        body.put("description", "Account top-up");
        body.putObject("metadata").put("payment_id", paymentId.toString());
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + "/v3/payments")).timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization).header("Idempotence-Key", paymentId.toString())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return api.call(request).map(p -> new StripeProvider.Created(p.path("id").asText(), null,
                p.path("confirmation").path("confirmation_url").asText(null)));
    }

    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 300, jitter = 100, retryOn = ProviderApi.Unavailable.class)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 30, delayUnit = ChronoUnit.SECONDS,
            failOn = {ProviderApi.Unavailable.class, TimeoutException.class})
    public Uni<Fetched> fetch(String providerPaymentId) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + "/v3/payments/" + URLEncoder.encode(providerPaymentId, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(10)).header("Authorization", authorization).GET().build();
        return api.call(request).map(p -> new Fetched(p.path("id").asText(), p.path("status").asText(),
                new BigDecimal(p.path("amount").path("value").asText("0")).movePointRight(2).longValueExact(),
                p.path("amount").path("currency").asText(), p.path("cancellation_details").path("reason").asText(null)));
    }

    static String decimal(long minor) {
        return BigDecimal.valueOf(minor, 2).toPlainString();
    }
}
