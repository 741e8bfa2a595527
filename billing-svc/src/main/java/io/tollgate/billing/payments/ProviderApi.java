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
 * reachable, another status, an unreadable answer) as 502 {@code PROVIDER_ERROR}.
 */
final class ProviderApi {

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
                .onFailure().transform(e -> error(name + " could not be reached: " + e.getMessage()));
    }

    /** A 200 answer's JSON; anything else fails. */
    Uni<JsonNode> call(HttpRequest request) {
        return send(request).map(response -> {
            if (response.statusCode() != 200) {
                throw error(name + " answered " + response.statusCode() + " to " + request.method() + " " + request.uri().getPath() + ".");
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
