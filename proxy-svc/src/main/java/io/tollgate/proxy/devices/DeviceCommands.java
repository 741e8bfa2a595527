package io.tollgate.proxy.devices;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.client.ServiceTokens;
import io.tollgate.kit.concurrent.Offload;
import io.tollgate.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

    /** What a ping through the device found: its address as its tunnel reports it, and how long that took. */
    public record Ping(boolean success, String ip, long responseTimeMs, String error) {
    }

    /** Asks the device's tunnel who it is ({@code GET /ip}), with a 3 s budget. */
    public Uni<Ping> ping(Device device) {
        if (!device.online() || device.publicIp() == null || device.tunnelPort() == null) {
            return Uni.createFrom().item(new Ping(false, null, 0, "The device is offline."));
        }
        return Offload.compute(() -> {
            long started = System.nanoTime();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(device.publicIp(), device.tunnelPort()), 3000);
                socket.setSoTimeout(3000);
                socket.getOutputStream().write("GET /ip HTTP/1.1\r\nHost: device\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readNBytes(4096), StandardCharsets.US_ASCII);
                long took = (System.nanoTime() - started) / 1_000_000;
                int body = answer.indexOf("\r\n\r\n");
                if (!answer.startsWith("HTTP/1.1 200") || body < 0) {
                    return new Ping(false, null, took, "The device answered, but not with its address.");
                }
                return new Ping(true, answer.substring(body + 4).trim(), took, null);
            } catch (IOException e) {
                return new Ping(false, null, (System.nanoTime() - started) / 1_000_000, "The device did not answer.");
            }
        });
    }

    static ProblemException unavailable(String detail) {
        return new ProblemException(503, "DEVICE_UNAVAILABLE", "Service unavailable", detail, List.of(), Map.of(),
                Map.of("Retry-After", "5"));
    }
}
