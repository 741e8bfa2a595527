package io.tollgate.kit.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

/**
 * This service's own token for calls to another of our services: client credentials at identity's
 * {@code /internal/tokens} (client id = the service's name, its own secret), kept until a minute
 * before it expires and shared by concurrent callers.
 */
@ApplicationScoped
public class ServiceTokens {

    private record Token(String value, long expiresAtMillis) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final ObjectMapper json;
    private final Clock clock;
    private final String identityUrl;
    private final String clientId;
    private final Optional<String> secret;
    private volatile Token current;
    private volatile Uni<String> inFlight;

    public ServiceTokens(ObjectMapper json, Clock clock,
                         @ConfigProperty(name = "tollgate.identity-url", defaultValue = "http://127.0.0.1:8081") String identityUrl,
                         @ConfigProperty(name = "quarkus.application.name") String application,
                         @ConfigProperty(name = "tollgate.service.client-secret") Optional<String> secret) {
        this.json = json;
        this.clock = clock;
        this.identityUrl = identityUrl;
        this.clientId = application.endsWith("-svc") ? application.substring(0, application.length() - 4) : application;
        this.secret = secret;
    }

    /**
     * A valid bearer token of this service. Fetching it is retried on transport failures (minting a
     * token changes nothing at identity) and runs under a circuit breaker, so a gone identity fails
     * callers at once for a few seconds instead of holding each of them for its timeout.
     */
    @Timeout(value = 6, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = IOException.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = {IOException.class, TimeoutException.class})
    public Uni<String> token() {
        Token known = current;
        if (known != null && clock.millis() < known.expiresAtMillis() - 60_000) {
            return Uni.createFrom().item(known.value());
        }
        Uni<String> pending = inFlight;
        if (pending != null) {
            return pending;
        }
        Uni<String> fetch = fetch().memoize().indefinitely();
        inFlight = fetch;
        return fetch.eventually(() -> {
            inFlight = null;
        });
    }

    /** Forgets the token (after a 401 from the service called), so the next call fetches a fresh one. */
    public void forget() {
        current = null;
    }

    private Uni<String> fetch() {
        String body;
        try {
            body = json.writeValueAsString(Map.of("client_id", clientId, "client_secret",
                    secret.orElseThrow(() -> new IllegalStateException("tollgate.service.client-secret is not set"))));
        } catch (IOException e) {
            return Uni.createFrom().failure(e);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(identityUrl + "/internal/tokens"))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("identity refused " + clientId + "'s service token: " + response.statusCode());
                    }
                    try {
                        JsonNode answer = json.readTree(response.body());
                        Token token = new Token(answer.path("access_token").asText(),
                                clock.millis() + answer.path("expires_in").asLong(300) * 1000);
                        current = token;
                        return token.value();
                    } catch (IOException e) {
                        throw new IllegalStateException("identity's token answer was unreadable", e);
                    }
                });
    }
}
