package io.tollgate.proxy.devices;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.client.ServiceTokens;
import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Commands to a device's agent, at the URL it registered, with proxy's service token. The only one
 * so far is a new address (airplane mode): the agent accepts it at once and reports the new
 * address in a heartbeat when its network has given one.
 */
@ApplicationScoped
public class DeviceCommands {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final ServiceTokens tokens;

    public DeviceCommands(ServiceTokens tokens) {
        this.tokens = tokens;
    }

    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    public Uni<Void> resetIp(Device device) {
        if (device.agentUrl() == null) {
            return Uni.createFrom().failure(unavailable("The device takes no commands."));
        }
        return tokens.token().chain(token -> {
            HttpRequest request = HttpRequest.newBuilder(URI.create(device.agentUrl() + "/reset-ip")).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build();
            return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
        }).onFailure(e -> !(e instanceof ProblemException)).transform(e -> unavailable("The device did not answer."))
                .map(response -> {
                    if (response.statusCode() / 100 != 2) {
                        throw unavailable("The device refused the command (" + response.statusCode() + ").");
                    }
                    return null;
                });
    }

    static ProblemException unavailable(String detail) {
        return new ProblemException(503, "DEVICE_UNAVAILABLE", "Service unavailable", detail, List.of(), Map.of(),
                Map.of("Retry-After", "5"));
    }
}
