package io.tollgate.proxy.rotation;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Owner;
import io.tollgate.kit.security.Principal;
import io.tollgate.proxy.ports.PortRepository;
import io.tollgate.proxy.ports.PortResource;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Rotating the caller's ports: by device switch, by airplane mode (private ports), their history and public link. */
@Path("/v1/ports/{id}")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Rotation")
public class RotationResource {

    public record RotationView(boolean success, UUID portId, UUID oldDeviceId, UUID newDeviceId, String oldIp, String newIp,
                               String rotationType, long rotationDurationMs, int rotationCount, String message) {
        static RotationView of(RotationService.Rotated r) {
            return new RotationView(true, r.portId(), r.oldDeviceId(), r.newDeviceId(), r.oldIp(), r.newIp(), r.rotationType(),
                    r.rotationDurationMs(), r.rotationCount(), "Rotated: the port's address is now " + r.newIp() + ".");
        }
    }

    public record CanRotate(boolean canRotate, long availableDevices, long retryAfterSeconds, String reason) {
    }

    public record HistoryEntry(UUID portId, UUID fromDeviceId, UUID toDeviceId, String fromIp, String toIp, String triggerType,
                               String rotationType, boolean success, int rotationDurationMs, String country, String carrier, String city,
                               Instant createdAt) {
        static HistoryEntry of(PortRepository.Rotation r) {
            return new HistoryEntry(r.portId(), r.fromDeviceId(), r.toDeviceId(), r.fromIp(), r.toIp(), r.triggerType(), r.rotationType(),
                    r.success(), r.rotationDurationMs(), r.country(), r.carrier(), r.city(), r.createdAt());
        }
    }

    public record RotationLink(String rotationToken, String rotationUrl) {
    }

    public record MovedView(boolean success, UUID portId, UUID oldDeviceId, UUID newDeviceId, String oldIp, String newIp) {
        static MovedView of(RotationService.Moved m) {
            return new MovedView(true, m.portId(), m.oldDeviceId(), m.newDeviceId(), m.oldIp(), m.newIp());
        }
    }

    public record Reconfigure(@NotNull @Pattern(regexp = "^[A-Z]{2}$") String countryId, UUID cityId, UUID carrierId, Boolean isPrivate) {
    }

    public record SettingsBody(Boolean enabled, @Min(60) @Max(86_400) Integer intervalSeconds, Boolean matchCarrier, Boolean matchCity,
                               @Size(max = 50) List<@NotNull UUID> excludedDeviceIds) {
    }

    public record SettingsView(boolean enabled, Integer intervalSeconds, boolean matchCarrier, boolean matchCity,
                               List<UUID> excludedDeviceIds, Instant nextRotationAt) {
        static SettingsView of(PortRepository.RotationSettings s) {
            return new SettingsView(s.enabled(), s.intervalSeconds(), s.matchCarrier(), s.matchCity(), s.excludedDeviceIds(),
                    s.nextRotationAt());
        }
    }

    private final RotationService rotations;
    private final CurrentPrincipal principal;
    private final String base;

    public RotationResource(RotationService rotations, CurrentPrincipal principal,
                            @ConfigProperty(name = "tollgate.public-base-url", defaultValue = "http://127.0.0.1:8080") String base) {
        this.rotations = rotations;
        this.principal = principal;
        this.base = base;
    }

    @POST
    @Path("/rotate")
    @Operation(summary = "Move the port to another free device in its country, keeping credentials and expiry;"
            + " once every 5 min per port (successful rotations count)")
    public Uni<RotationView> rotate(@PathParam("id") String id) {
        return rotations.rotate(owner("proxy:write"), PortResource.id(id)).map(RotationView::of);
    }

    @POST
    @Path("/reset-ip")
    @Operation(summary = "A new address from the port's own device (airplane mode), waited for; private ports only, once per 30 s")
    public Uni<RotationView> resetIp(@PathParam("id") String id) {
        return rotations.resetIp(owner("proxy:write"), PortResource.id(id)).map(RotationView::of);
    }

    @GET
    @Path("/can-rotate")
    public Uni<CanRotate> canRotate(@PathParam("id") String id) {
        return rotations.readiness(owner("proxy:read"), PortResource.id(id))
                .map(r -> new CanRotate(r.canRotate(), r.availableDevices(), r.retryAfterSeconds(), r.reason()));
    }

    @GET
    @Path("/rotation-history")
    @Operation(summary = "The port's rotations, newest first, with their trigger (manual, token, auto)")
    public Uni<Page<HistoryEntry>> history(@PathParam("id") String id, @Valid @BeanParam PageRequest page) {
        return rotations.history(owner("proxy:read"), PortResource.id(id), page).map(p -> p.map(HistoryEntry::of));
    }

    @POST
    @Path("/regenerate-rotation-token")
    @Operation(summary = "A new public rotation link for the port; the old link stops working at once")
    public Uni<RotationLink> regenerate(@PathParam("id") String id) {
        return rotations.regenerateToken(owner("proxy:write"), PortResource.id(id))
                .map(token -> new RotationLink(token, base + "/v1/rotate/" + token));
    }

    @POST
    @Path("/replace")
    @Operation(summary = "Move the port off its device when that device is offline, to another free one in the same city")
    public Uni<MovedView> replace(@PathParam("id") String id) {
        return rotations.replace(owner("proxy:write"), PortResource.id(id)).map(MovedView::of);
    }

    @POST
    @Path("/reconfigure")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Move the port to another country, city, carrier or kind, keeping its remaining time; 3 times in 2 min")
    public Uni<MovedView> reconfigure(@PathParam("id") String id, @Valid @NotNull Reconfigure body) {
        return rotations.reconfigure(owner("proxy:write"), PortResource.id(id), new RotationService.Location(body.countryId(),
                body.cityId(), body.carrierId(), body.isPrivate())).map(MovedView::of);
    }

    @GET
    @Path("/rotation-settings")
    public Uni<SettingsView> settings(@PathParam("id") String id) {
        return rotations.settings(owner("proxy:read"), PortResource.id(id)).map(SettingsView::of);
    }

    @PATCH
    @Path("/rotation-settings")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Auto-rotation (interval_seconds 60 to 86400, at least 300 on a pool port), staying with the device's"
            + " carrier or city, never onto the excluded devices; these apply to every rotation of the port")
    public Uni<SettingsView> changeSettings(@PathParam("id") String id, @Valid @NotNull SettingsBody body) {
        return rotations.changeSettings(owner("proxy:write"), PortResource.id(id), new RotationService.SettingsChange(body.enabled(),
                body.intervalSeconds(), body.matchCarrier(), body.matchCity(), body.excludedDeviceIds())).map(SettingsView::of);
    }

    private Owner owner(String scope) {
        Principal caller = principal.get();
        caller.requireScope(scope);
        return caller.owner();
    }
}
