package io.tollgate.billing.payments;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.config.DeploymentSecrets;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * CoinGate's protocol: an order created with {@code Authorization: Token ...} (form-encoded), the
 * customer paying in crypto at its {@code payment_url}, and a form-encoded callback to our URL that
 * carries the per-order {@code token} we chose: a callback whose token is not the order's is
 * refused, and a paid one is fetched back before it is credited.
 */
@ApplicationScoped
@Startup
public class CoinGateProvider {

    public record Fetched(String id, String status, long amountMinor, String currency) {
    }

    private final String apiUrl;
    private final String apiToken;
    private final String callbackUrl;
    private final PaymentLinks links;
    private final ProviderApi api;

    public CoinGateProvider(ObjectMapper json,
                            @ConfigProperty(name = "tollgate.billing.coingate.api-url") String apiUrl,
                            @ConfigProperty(name = "tollgate.billing.coingate.api-token") String apiToken,
                            @ConfigProperty(name = "tollgate.billing.coingate.callback-url") String callbackUrl, PaymentLinks links) {
        DeploymentSecrets.require("tollgate.billing.coingate.api-token", apiToken, "cg_sandbox_api_token");
        this.api = new ProviderApi("CoinGate", json);
        this.apiUrl = apiUrl;
        this.apiToken = apiToken;
        this.callbackUrl = callbackUrl;
        this.links = links;
    }

    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 30, delayUnit = ChronoUnit.SECONDS,
            failOn = {ProviderApi.Unavailable.class, TimeoutException.class})
    public Uni<StripeProvider.Created> create(UUID paymentId, long amountMinor, String currency, String token) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("order_id", "topup_" + paymentId);
        form.put("price_amount", BigDecimal.valueOf(amountMinor, 2).toPlainString());
        form.put("price_currency", currency);
        form.put("receive_currency", currency);
        form.put("title", "Account top-up");
        form.put("callback_url", callbackUrl);
        form.put("success_url", links.url(paymentId));
        form.put("cancel_url", links.url(paymentId));
        form.put("token", token);
        String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + "/v2/orders")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Token " + apiToken).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return api.call(request).map(o -> new StripeProvider.Created(o.path("id").asText(), null, o.path("payment_url").asText(null)));
    }

    @Timeout(value = 15, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 300, jitter = 100, retryOn = ProviderApi.Unavailable.class)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 30, delayUnit = ChronoUnit.SECONDS,
            failOn = {ProviderApi.Unavailable.class, TimeoutException.class})
    public Uni<Fetched> fetch(String orderId) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + "/v2/orders/" + URLEncoder.encode(orderId, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Token " + apiToken).GET().build();
        return api.call(request).map(o -> new Fetched(o.path("id").asText(), o.path("status").asText(),
                new BigDecimal(o.path("price_amount").asText("0")).movePointRight(2).longValueExact(), o.path("price_currency").asText()));
    }
}
