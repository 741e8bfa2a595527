package io.tollgate.render.holds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.client.ServiceTokens;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.tracing.EventTracing;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Money for a job, reserved at billing before the job exists ({@code POST /internal/holds} with
 * render's service token), so an empty wallet is a 402 at submit. The Idempotency-Key is the job's
 * own id, so a retry after a lost answer finds the same hold instead of placing a second one; that
 * is what makes the retry below safe. The capture or void follows from the job's terminal event.
 */
@ApplicationScoped
public class BillingHolds {

    /** A placed hold: what billing reserved. */
    public record Hold(UUID id, long amountMinor, String currency) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final ServiceTokens tokens;
    private final ObjectMapper json;
    private final String billingUrl;

    public BillingHolds(ServiceTokens tokens, ObjectMapper json,
                        @ConfigProperty(name = "tollgate.render.billing-url", defaultValue = "http://127.0.0.1:8082") String billingUrl) {
        this.tokens = tokens;
        this.json = json;
        this.billingUrl = billingUrl;
    }

    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, retryOn = {IOException.class, BillingUnavailable.class})
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS,
            failOn = {IOException.class, BillingUnavailable.class})
    public Uni<Hold> place(UUID jobId, UUID userId, UUID tenantId, long amountMinor, String currency, UUID apiKeyId, String modelId,
                           Duration ttl) {
        ObjectNode body = json.createObjectNode().put("user_id", userId.toString()).put("tenant_id", tenantId.toString())
                .put("amount_minor", amountMinor).put("currency", currency).put("reference", "job_" + jobId)
                .put("description", "Render " + modelId).put("ttl_seconds", ttl.toSeconds()).put("model_id", modelId);
        if (apiKeyId != null) {
            body.put("api_key_id", apiKeyId.toString());
        }
        // taken here, where the caller's span is current: the token may come back on another thread
        String traceparent = EventTracing.currentTraceparent();
        return tokens.token().chain(token -> {
            HttpRequest request = EventTracing.propagate(HttpRequest.newBuilder(URI.create(billingUrl + "/internal/holds")).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .header("Idempotency-Key", "job:" + jobId)
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())), traceparent).build();
            return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
        }).map(response -> answer(response, currency));
    }

    private Hold answer(HttpResponse<byte[]> response, String currency) {
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (IOException e) {
            throw new BillingUnavailable("billing's answer was unreadable");
        }
        int status = response.statusCode();
        if (status == 201) {
            return new Hold(UUID.fromString(body.path("id").asText()), body.path("amount_minor").asLong(), body.path("currency").asText());
        }
        if (status == 402) {
            throw new ProblemException(402, "INSUFFICIENT_BALANCE", "Payment required",
                    "The balance does not cover this job's estimate; top up and try again.")
                    .with("required", body.path("required").asLong()).with("available", body.path("available").asLong())
                    .with("currency", body.path("currency").asText(currency));
        }
        if (status == 401) {
            tokens.forget();
            throw new BillingUnavailable("billing refused render's service token");
        }
        if (status >= 500) {
            throw new BillingUnavailable("billing answered " + status);
        }
        String code = body.path("code").asText("HOLD_REFUSED");
        throw new ProblemException(status == 404 ? 402 : 422, status == 404 ? "NO_WALLET" : code, "Payment required",
                "Billing refused the hold: " + body.path("detail").asText(code)).with("billing_status", status);
    }

    /** Billing could not be reached or answered with a server error: retried, then 503 to the caller. */
    public static final class BillingUnavailable extends ProblemException {
        public BillingUnavailable(String detail) {
            super(503, "BILLING_UNAVAILABLE", "Service unavailable", "Payment could not be reserved right now; retry shortly. ("
                    + detail + ")", List.of(), Map.of(), Map.of("Retry-After", "2"));
        }
    }
}
