package io.tollgate.billing.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The HTTP side every payment provider shares: one client, and the provider's failures (not
 * reachable, another status, an unreadable answer) as 502 {@code PROVIDER_ERROR}. A provider that
 * could not be reached, or answered 429 or 5xx, fails with {@link Unavailable}: that is what the
 * providers' SmallRye Fault Tolerance retries (only calls the provider deduplicates: reads, and
 * creates under our payment id as its idempotency key) and what opens their circuit breakers.
 */
final class ProviderApi {

    /** The provider did not answer, or answered that it cannot now (429, 5xx): worth another try later. */
    static final class Unavailable extends ProblemException {
        Unavailable(String detail, Integer status) {
            super(502, "PROVIDER_ERROR", "Bad Gateway", detail);
            if (status != null) {
                with(PROVIDER_STATUS, status);
            }
        }
    }

    /** The extension member of a {@code PROVIDER_ERROR} that holds the provider's HTTP status. */
    static final String PROVIDER_STATUS = "provider_status";

    private final String name;
    private final ObjectMapper json;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ProviderApi(String name, ObjectMapper json) {
        this.name = name;
        this.json = json;
    }

    /** Any answer; only an unreachable provider fails. */
    Uni<HttpResponse<byte[]>> send(HttpRequest request) {
        return Uni.createFrom().completionStage(() -> client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()))
                .onFailure().transform(e -> new Unavailable(name + " could not be reached: " + e.getMessage(), null));
    }

    /** A 200 answer's JSON; anything else fails. */
    Uni<JsonNode> call(HttpRequest request) {
        return send(request).map(response -> {
            if (response.statusCode() == 429 || response.statusCode() >= 500) {
                throw new Unavailable(name + " answered " + response.statusCode() + ".", response.statusCode());
            }
            if (response.statusCode() != 200) {
                // the provider's status only: the request's path is our own business, not the caller's
                throw error(name + " answered " + response.statusCode() + ".").with(PROVIDER_STATUS, response.statusCode());
            }
            return read(response.body());
        });
    }

    JsonNode read(byte[] body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw error(name + "'s answer was unreadable.");
        }
    }

    ProblemException error(String detail) {
        return new ProblemException(502, "PROVIDER_ERROR", "Bad Gateway", detail);
    }
}
