package io.tollgate.proxy.ports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.client.ServiceTokens;
import io.tollgate.kit.tracing.EventTracing;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * A port's renewal charged at billing ({@code POST /internal/port-renewals} with proxy's service
 * token), synchronously, so the scanner knows at once whether the port is kept. The
 * Idempotency-Key names the port and the period being renewed, so asking again after a lost answer
 * (or a crash before proxy wrote the outcome) is answered with the first charge, never a second.
 * Billing refusing the charge (402 and other 4xx) is an answer; anything else is
 * {@link BillingUnavailable} and nothing is recorded.
 */
@ApplicationScoped
public class BillingRenewals {

    /** What billing said: charged (with its renewal) or refused (with its code and, for 402, the figures). */
    public sealed interface Outcome permits Charged, Refused {
    }

    public record Charged(UUID renewalId, long totalMinor, String currency, boolean replayed) implements Outcome {
    }

    public record Refused(int status, String reason, Long requiredMinor, Long availableMinor, String currency) implements Outcome {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final ServiceTokens tokens;
    private final ObjectMapper json;
    private final String billingUrl;

    public BillingRenewals(ServiceTokens tokens, ObjectMapper json,
                           @ConfigProperty(name = "tollgate.proxy.billing-url", defaultValue = "http://127.0.0.1:8082") String billingUrl) {
        this.tokens = tokens;
        this.json = json;
        this.billingUrl = billingUrl;
    }

    /** The key of one port's renewal of the period that ends at {@code expiresAt}. */
    public static String key(UUID portId, Instant expiresAt) {
        return "renewal:" + portId + ":" + expiresAt.getEpochSecond();
    }

    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS,
            failOn = {IOException.class, BillingUnavailable.class, TimeoutException.class})
    public Uni<Outcome> charge(RenewalRepository.Due port) {
        ObjectNode body = json.createObjectNode().put("user_id", port.userId().toString()).put("tenant_id", port.tenantId().toString())
                .put("port_id", port.id().toString()).put("port_name", port.name()).put("days", port.days())
                .put("is_private", port.isPrivate()).put("period_ends_at", port.expiresAt().toString());
        // taken here, where the caller's span is current: the token may come back on another thread
        String traceparent = EventTracing.currentTraceparent();
        return tokens.token().chain(token -> {
            HttpRequest request = EventTracing.propagate(HttpRequest.newBuilder(URI.create(billingUrl + "/internal/port-renewals")).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .header("Idempotency-Key", key(port.id(), port.expiresAt()))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())), traceparent).build();
            return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
        }).map(this::answer);
    }

    private Outcome answer(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (status == 401) {
            tokens.forget();
            throw new BillingUnavailable("billing refused proxy's service token");
        }
        // 409: the same renewal is still running at billing (another attempt's); its answer comes on the next scan
        if (status >= 500 || status == 409 || status == 429) {
            throw new BillingUnavailable("billing answered " + status);
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (IOException e) {
            throw new BillingUnavailable("billing's answer was unreadable");
        }
        if (status == 201) {
            return new Charged(UUID.fromString(body.path("id").asText()), body.path("total_minor").asLong(), body.path("currency").asText(),
                    response.headers().firstValue("Idempotent-Replayed").isPresent());
        }
        if (status == 402) {
            return new Refused(status, body.path("code").asText("INSUFFICIENT_BALANCE"), body.path("required").asLong(),
                    body.path("available").asLong(), body.hasNonNull("currency") ? body.path("currency").asText() : null);
        }
        String code = body.path("code").asText("");
        return new Refused(status, code.matches("^[A-Z][A-Z0-9_]{0,63}$") ? code : "RENEWAL_REFUSED", null, null, null);
    }

    /** Billing could not be reached or answered with a server error: nothing is recorded; the next scan asks again. */
    public static final class BillingUnavailable extends RuntimeException {
        public BillingUnavailable(String detail) {
            super(detail);
        }
    }
}
