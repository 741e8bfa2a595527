package io.tollgate.proxy.devices;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Devices, for platform administrators: the seed's CreateDeviceDto, with online state, uptime and last check. */
@Path("/v1/admin/proxy/devices")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Proxy administration")
public class AdminDeviceResource {

    static final String NAME = "^[\\p{L}\\p{N} ._()&#'+-]+$";

    public record CreateDevice(@NotNull @Pattern(regexp = "^(phone|modem)$") String type,
                               @NotBlank @Size(max = 100) @Pattern(regexp = NAME) String name,
                               @NotNull @Pattern(regexp = "^[0-9]{15}$") String imei, @NotNull UUID serverId,
                               @Pattern(regexp = "^(active|inactive|maintenance|disabled)$") String status,
                               @NotNull @Pattern(regexp = "^[A-Z]{2}$") String countryId,
                               @Size(min = 1, max = 100) @Pattern(regexp = NAME) String city,
                               @Size(min = 1, max = 100) @Pattern(regexp = NAME) String carrier,
                               @Pattern(regexp = "^[0-9]{3}$") String mcc, @Pattern(regexp = "^[0-9]{2,3}$") String mnc,
                               Boolean isPrivate, @Min(1) @Max(100) Integer maxPorts) {
    }

    public record UpdateDevice(@Pattern(regexp = "^(phone|modem)$") String type,
                               @Size(min = 1, max = 100) @Pattern(regexp = NAME) String name,
                               @Pattern(regexp = "^(active|inactive|maintenance|disabled)$") String status,
                               @Pattern(regexp = "^[A-Z]{2}$") String countryId,
                               @Size(min = 1, max = 100) @Pattern(regexp = NAME) String city,
                               @Size(min = 1, max = 100) @Pattern(regexp = NAME) String carrier,
                               Boolean isPrivate, @Min(1) @Max(100) Integer maxPorts) {
    }

    public record DeviceView(UUID id, UUID serverId, String type, String name, String imei, String status, String countryId,
                             String city, String carrier, boolean isPrivate, String state, boolean online, Long uptimeSeconds,
                             Instant lastChecked, String publicIp, int livePorts, Integer maxPorts, Instant createdAt,
                             Instant updatedAt) {
        static DeviceView of(Device d, Instant now) {
            return new DeviceView(d.id(), d.serverId(), d.type(), d.name(), d.imei(), d.status(), d.countryCode(), d.city(), d.carrier(),
                    d.isPrivate(), d.online() ? "online" : "offline", d.online(), DeviceService.uptimeSeconds(d, now), d.lastCheckedAt(),
                    d.publicIp(), d.livePorts(), d.maxPorts(), d.createdAt(), d.updatedAt());
        }
    }

    private final DeviceService devices;
    private final CurrentPrincipal principal;
    private final Clock clock;

    public AdminDeviceResource(DeviceService devices, CurrentPrincipal principal, Clock clock) {
        this.devices = devices;
        this.principal = principal;
        this.clock = clock;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a device (phone or modem, 15-digit IMEI) to a server; it is offline until its agent registers")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = DeviceView.class)))
    public Uni<Response> create(@Valid @NotNull CreateDevice body) {
        principal.get().requirePlatformAdmin();
        return devices.createDevice(new DeviceService.DeviceSpec(body.serverId(), null, body.type(), body.name(), body.imei(),
                        body.status(), body.countryId(), body.city(), body.carrier(), null, body.mcc(), body.mnc(),
                        Boolean.TRUE.equals(body.isPrivate()), body.maxPorts()))
                .map(d -> Response.status(201).header("Location", "/v1/admin/proxy/devices/" + d.id())
                        .entity(DeviceView.of(d, clock.instant())).build());
    }

    @GET
    @Operation(summary = "Devices, filtered by country, status and online state")
    public Uni<Page<DeviceView>> list(@QueryParam("country_id") String country, @QueryParam("status") String status,
                                      @QueryParam("online") String online, @Valid @BeanParam PageRequest page) {
        principal.get().requirePlatformAdmin();
        if (country != null && !country.matches("^[A-Z]{2}$")) {
            throw ProblemException.validation("country_id", "must be an ISO 3166 alpha-2 code");
        }
        Instant now = clock.instant();
        Boolean up = online == null || online.isEmpty() ? null : switch (online) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ProblemException.validation("online", "must be true or false");
        };
        return devices.devices(country, status, up, page).map(p -> p.map(d -> DeviceView.of(d, now)));
    }

    @GET
    @Path("/{id}")
    public Uni<DeviceView> get(@PathParam("id") String id) {
        principal.get().requirePlatformAdmin();
        return devices.device(id(id)).map(d -> DeviceView.of(d, clock.instant()));
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change a device's name, status, location, pool or private (not while ports run on it) and capacity")
    public Uni<DeviceView> update(@PathParam("id") String id, @Valid @NotNull UpdateDevice body) {
        principal.get().requirePlatformAdmin();
        UUID deviceId = id(id);
        return devices.device(deviceId).chain(existing -> devices.updateDevice(deviceId, new DeviceService.DeviceSpec(null, null,
                        body.type(), body.name(), null, body.status(), body.countryId(), body.city(), body.carrier(), null, null, null,
                        body.isPrivate() == null ? existing.isPrivate() : body.isPrivate(), body.maxPorts())))
                .map(d -> DeviceView.of(d, clock.instant()));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Remove a device no port ever used (409 DEVICE_IN_USE otherwise: disable it)")
    public Uni<Map<String, String>> delete(@PathParam("id") String id) {
        principal.get().requirePlatformAdmin();
        return devices.deleteDevice(id(id)).replaceWith(Map.of("message", "Device deleted"));
    }

    static UUID id(String raw) {
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("device");
        }
    }
}
