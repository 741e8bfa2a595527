package io.tollgate.proxy.devices;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.security.CurrentPrincipal;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The device agents' API (service tokens of the configured agent clients only; never routed by the
 * gateway): a device registers with what it is and where, then heartbeats with its state and its
 * current public address. A heartbeat saying {@code online: false} takes it out of placement at once.
 */
@Path("/internal/devices")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Device agents (internal)")
public class DeviceAgentResource {

    static final String IP = "^([0-9]{1,3}\\.){3}[0-9]{1,3}$|^[0-9a-fA-F:]{2,39}$";

    public record Registration(@NotNull @Pattern(regexp = "^[0-9]{15}$") String imei,
                               @NotNull @Pattern(regexp = "^(phone|modem)$") String type,
                               @NotBlank @Size(max = 100) @Pattern(regexp = AdminDeviceResource.NAME) String name,
                               @NotNull @Pattern(regexp = "^[A-Z]{2}$") String country,
                               @Size(min = 1, max = 100) @Pattern(regexp = AdminDeviceResource.NAME) String city,
                               @Size(min = 1, max = 100) @Pattern(regexp = AdminDeviceResource.NAME) String carrier,
                               @Size(max = 100) @Pattern(regexp = AdminDeviceResource.NAME) String brand,
                               @Pattern(regexp = "^[0-9]{3}$") String mcc, @Pattern(regexp = "^[0-9]{2,3}$") String mnc,
                               boolean isPrivate, @Min(1) @Max(100) Integer maxPorts,
                               @NotNull @Pattern(regexp = IP) String publicIp, @NotNull @Min(1) @Max(65535) Integer tunnelPort,
                               @Size(max = 500) @Pattern(regexp = "^https?://[^\\s]+$") String agentUrl,
                               @Size(max = 100) String server) {
    }

    public record Heartbeat(boolean online, @Pattern(regexp = IP) String publicIp, @Min(1) @Max(65535) Integer tunnelPort,
                            @Size(max = 500) @Pattern(regexp = "^https?://[^\\s]+$") String agentUrl) {
    }

    public record Registered(UUID deviceId, String status, long heartbeatSeconds) {
    }

    public record Acknowledged(UUID deviceId) {
    }

    private final DeviceService devices;
    private final CurrentPrincipal principal;
    private final String[] agents;
    private final Duration staleAfter;

    public DeviceAgentResource(DeviceService devices, CurrentPrincipal principal,
                               @ConfigProperty(name = "tollgate.proxy.device-agents", defaultValue = "proxy") List<String> agents,
                               @ConfigProperty(name = "tollgate.proxy.devices.stale-after", defaultValue = "PT30S") Duration staleAfter) {
        this.devices = devices;
        this.principal = principal;
        this.agents = agents.toArray(String[]::new);
        this.staleAfter = staleAfter;
    }

    @POST
    @Path("/register")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A device agent is up: the device by its IMEI, where it is, its address and tunnel; online from now")
    public Uni<Registered> register(@Valid @NotNull Registration body) {
        principal.get().requireService(agents);
        return devices.register(new DeviceService.DeviceSpec(null, body.server(), body.type(), body.name(), body.imei(), null,
                        body.country(), body.city(), body.carrier(), body.brand(), body.mcc(), body.mnc(), body.isPrivate(),
                        body.maxPorts()), new DeviceRepository.Report(true, body.publicIp(), body.tunnelPort(), body.agentUrl()))
                .map(d -> new Registered(d.id(), d.status(), Math.max(1, staleAfter.toSeconds() / 3)));
    }

    @POST
    @Path("/{imei}/heartbeat")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "The device's state now: online or not, its current public address; 404 DEVICE_UNKNOWN asks it to register")
    public Uni<Acknowledged> heartbeat(@PathParam("imei") String imei, @Valid @NotNull Heartbeat body) {
        principal.get().requireService(agents);
        return devices.heartbeat(imei, new DeviceRepository.Report(body.online(), body.publicIp(), body.tunnelPort(), body.agentUrl()))
                .map(Acknowledged::new);
    }
}
