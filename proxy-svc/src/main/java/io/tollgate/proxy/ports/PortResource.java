package io.tollgate.proxy.ports;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Owner;
import io.tollgate.kit.security.Principal;
import io.tollgate.proxy.inventory.InventoryResource;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The caller's ports. Creation needs a verified e-mail (403 {@code EMAIL_UNVERIFIED}), a free slot
 * of the kind (409 {@code SLOT_LIMIT_EXCEEDED}) and a fitting device (400 {@code NO_DEVICE_AVAILABLE}),
 * and is limited to one every 20 s (429). Another owner's port is 404.
 */
@Path("/v1/ports")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Ports")
public class PortResource {

    static final String FINGERPRINTS = "^(|android:1|android:3|macosx:3|macosx:4|ios:1|ios:2|windows:1)$";

    public record CreatePort(@NotNull @Pattern(regexp = "^[A-Z]{2}$") String countryId, UUID cityId, UUID carrierId, Boolean exclusive,
                             @NotNull @Min(60) @Max(31_536_000) Long expiresIn, @Pattern(regexp = FINGERPRINTS) String osFingerprint,
                             Boolean isPrivate) {
    }

    public record Credentials(@NotNull @Size(min = 3, max = 32) @Pattern(regexp = "^[a-zA-Z0-9_-]+$") String proxyLogin,
                              @NotNull @Size(min = 8, max = 64) @Pattern(regexp = "^[\\x21-\\x7e]+$") String proxyPassword) {
    }

    public record PortView(UUID id, String name, String displayName, String status, boolean isActive, boolean suspended, int httpPort,
                           int socksPort, String serverIp, String publicIp, String proxyLogin, String proxyPassword, UUID deviceId,
                           String countryId, String city, String carrier, boolean isPrivate, boolean exclusive, String osFingerprint,
                           Instant expiresAt, String rotationToken, int rotationCount, Instant lastRotatedAt, long usedTraffic,
                           Instant createdAt, Instant updatedAt) {
        static PortView of(Port p, String password) {
            return new PortView(p.id(), p.name(), p.displayName(), p.status(), active(p), Port.SUSPENDED.equals(p.status()),
                    p.httpPort(), p.socksPort(), p.serverIp(), p.publicIp(), p.proxyLogin(), password, p.deviceId(), p.countryCode(),
                    p.city(), p.carrier(), p.isPrivate(), p.exclusive(), p.osFingerprint(), p.expiresAt(), p.rotationToken(), p.rotationCount(),
                    p.lastRotatedAt(), p.usedTrafficBytes(), p.createdAt(), p.updatedAt());
        }
    }

    public record BulkCreate(@NotNull @Size(min = 1, max = 50) List<@Valid @NotNull CreatePort> ports) {
    }

    public record BulkPort(UUID id, String name, int httpPort, int socksPort, String proxyLogin, String proxyPassword, String status) {
    }

    public record BulkError(int index, String code, String error) {
    }

    public record BulkResult(int total, int success, int failed, List<BulkPort> created, List<BulkError> errors) {
    }

    /** A smart bulk creation: {@code count} ports of one kind, at most three per device (a process). */
    public record BulkSmart(@NotNull @Pattern(regexp = "^[A-Z]{2}$") String countryId, UUID cityId, UUID carrierId, Boolean exclusive,
                            @NotNull @Min(60) @Max(31_536_000) Long expiresIn, @Pattern(regexp = FINGERPRINTS) String osFingerprint,
                            Boolean isPrivate, @NotNull @Min(1) @Max(SmartBulk.MAX_ITEMS) Integer count) {
    }

    public record StatusView(String status, boolean isActive, boolean deviceOnline, Instant lastChecked) {
    }

    public record IpView(String publicIp, String serverIp) {
    }

    public record PingView(boolean success, String ip, long responseTime, String error) {
    }

    public record ExtendTime(@NotNull @Min(1) @Max(8_760) Integer hours) {
    }

    public record Extended(Instant newExpiresAt, long maxHoursAllowed) {
    }

    public record MaxExtend(long maxHoursAllowed, Instant expiresAt, Instant latestExpiresAt) {
    }

    private final PortService ports;
    private final SmartBulk smartBulk;
    private final CurrentPrincipal principal;
    private final Idempotency idempotency;

    public PortResource(PortService ports, SmartBulk smartBulk, CurrentPrincipal principal, Idempotency idempotency) {
        this.ports = ports;
        this.smartBulk = smartBulk;
        this.principal = principal;
        this.idempotency = idempotency;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a port in a country (optionally city and carrier) for expires_in seconds (60 to 31536000);"
            + " it takes one of the caller's shared or private slots")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = PortView.class)))
    public Uni<Response> create(@Valid @NotNull CreatePort body, @HeaderParam(Idempotency.HEADER) String key) {
        Principal caller = caller("proxy:write");
        caller.requireVerifiedEmail();
        Owner owner = caller.owner();
        return idempotency.execute("user:" + caller.userId(), key, "POST", "/v1/ports", body,
                tx -> ports.create(tx, owner, newPort(body))
                        .map(p -> Response.status(201).header("Location", "/v1/ports/" + p.id()).entity(PortView.of(p, ports.password(p)))
                                .build()));
    }

    @POST
    @Path("/bulk")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create 1 to 50 ports at once: those that fit are made, the others answered with their reason (partial success)")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = BulkResult.class)))
    public Uni<Response> bulk(@Valid @NotNull BulkCreate body, @HeaderParam(Idempotency.HEADER) String key) {
        Principal caller = caller("proxy:write");
        caller.requireVerifiedEmail();
        Owner owner = caller.owner();
        List<PortService.NewPort> items = body.ports().stream().map(PortResource::newPort).toList();
        return idempotency.executeStaged("user:" + caller.userId(), key, "POST", "/v1/ports/bulk", body,
                effects -> ports.createMany(effects, owner, items).map(bulk -> Response.status(201).entity(new BulkResult(bulk.total(),
                        bulk.created().size(), bulk.errors().size(),
                        bulk.created().stream().map(p -> new BulkPort(p.id(), p.name(), p.httpPort(), p.socksPort(), p.proxyLogin(),
                                ports.password(p), p.status())).toList(),
                        bulk.errors().stream().map(e -> new BulkError(e.index(), e.code(), e.error())).toList())).build()));
    }

    @POST
    @Path("/bulk-smart")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create 1 to 50 ports of one kind in a country, spread so that no device holds more than three; answered at once"
            + " with the process that makes them (GET /v1/proxy/processes/{id} for its progress, POST .../cancel to stop it)")
    @APIResponse(responseCode = "202", description = "Started", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = ProcessResource.ProcessView.class)))
    public Uni<Response> bulkSmart(@Valid @NotNull BulkSmart body, @HeaderParam(Idempotency.HEADER) String key) {
        Principal caller = caller("proxy:write");
        caller.requireVerifiedEmail();
        Owner owner = caller.owner();
        PortService.NewPort port = new PortService.NewPort(body.countryId(), body.cityId(), body.carrierId(),
                Boolean.TRUE.equals(body.exclusive()), body.expiresIn(), body.osFingerprint(), Boolean.TRUE.equals(body.isPrivate()));
        UUID[] started = new UUID[1];
        return idempotency.execute("user:" + caller.userId(), key, "POST", "/v1/ports/bulk-smart", body,
                        tx -> smartBulk.start(tx, owner, port, body.count()).invoke(p -> started[0] = p.id())
                                .map(p -> Response.accepted(ProcessResource.ProcessView.of(p))
                                        .header("Location", "/v1/proxy/processes/" + p.id()).build()))
                .invoke(() -> {
                    if (started[0] != null) {
                        smartBulk.kick(started[0]);
                    }
                });
    }

    @GET
    @Path("/bulk-smart/max-available")
    @Operation(summary = "How many ports a smart bulk creation could make now in a country: free places on devices holding fewer"
            + " than three ports, bounded by the caller's free slots of the kind and by 50")
    public Uni<SmartBulk.MaxAvailable> maxAvailable(@QueryParam("country") String country, @QueryParam("is_private") String isPrivate,
                                                    @QueryParam("city_id") String cityId, @QueryParam("carrier_id") String carrierId) {
        Owner owner = caller("proxy:read").owner();
        if (country == null || !country.matches("^[A-Z]{2}$")) {
            throw ProblemException.validation("country", "must be an ISO 3166 alpha-2 code");
        }
        return smartBulk.maxAvailable(owner, country, optionalId("city_id", cityId), optionalId("carrier_id", carrierId),
                Boolean.TRUE.equals(InventoryResource.flag(isPrivate)), false);
    }

    private static UUID optionalId(String field, String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ProblemException.validation(field, "must be a UUID");
        }
    }

    static PortService.NewPort newPort(CreatePort body) {
        return new PortService.NewPort(body.countryId(), body.cityId(), body.carrierId(), Boolean.TRUE.equals(body.exclusive()),
                body.expiresIn(), body.osFingerprint(), Boolean.TRUE.equals(body.isPrivate()));
    }

    @GET
    @Operation(summary = "The caller's ports, newest first; filters status (active, suspended, expired), country_id, is_private")
    public Uni<Page<PortView>> list(@QueryParam("status") String status, @QueryParam("country_id") String country,
                                    @QueryParam("is_private") String isPrivate, @Valid @BeanParam PageRequest page) {
        Owner owner = caller("proxy:read").owner();
        return ports.list(owner, status, country, InventoryResource.flag(isPrivate), page)
                .map(p -> p.map(port -> PortView.of(port, ports.password(port))));
    }

    @GET
    @Path("/{id}")
    public Uni<PortView> get(@PathParam("id") String id) {
        Owner owner = caller("proxy:read").owner();
        return ports.get(owner, id(id)).map(p -> PortView.of(p, ports.password(p)));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a port: its credentials stop working and its slot is free again")
    public Uni<Map<String, String>> delete(@PathParam("id") String id) {
        Owner owner = caller("proxy:write").owner();
        return ports.delete(owner, id(id)).replaceWith(Map.of("message", "Port deleted"));
    }

    @PUT
    @Path("/{id}/credentials")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set the port's proxy login (3 to 32 of a-z, A-Z, 0-9, _ and -) and password (8 to 64)")
    public Uni<PortView> credentials(@PathParam("id") String id, @Valid @NotNull Credentials body) {
        Owner owner = caller("proxy:write").owner();
        return ports.credentials(owner, id(id), body.proxyLogin(), body.proxyPassword()).map(p -> PortView.of(p, ports.password(p)));
    }

    @GET
    @Path("/{id}/status")
    public Uni<StatusView> status(@PathParam("id") String id) {
        Owner owner = caller("proxy:read").owner();
        return ports.get(owner, id(id)).map(p -> new StatusView(p.status(), active(p), p.deviceOnline(), p.lastCheckedAt()));
    }

    @GET
    @Path("/{id}/ip")
    @Operation(summary = "The port's public address (its device's, now) and its server's")
    public Uni<IpView> ip(@PathParam("id") String id) {
        Owner owner = caller("proxy:read").owner();
        return ports.get(owner, id(id)).map(p -> new IpView(p.publicIp(), p.serverIp()));
    }

    @GET
    @Path("/{id}/ping")
    @Operation(summary = "Ask the port's device, through its tunnel, for its address: {success, ip, response_time, error}")
    public Uni<PingView> ping(@PathParam("id") String id) {
        Owner owner = caller("proxy:read").owner();
        return ports.ping(owner, id(id)).map(p -> new PingView(p.success(), p.ip(), p.responseTimeMs(), p.error()));
    }

    @POST
    @Path("/{id}/extend-time")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Move the port's end 1 to 8760 hours later, up to max-extend-hours (a port ends at most 365 days from now)")
    @APIResponse(responseCode = "200", description = "Extended", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = Extended.class)))
    public Uni<Response> extendTime(@PathParam("id") String id, @Valid @NotNull ExtendTime body, @HeaderParam(Idempotency.HEADER) String key) {
        Principal caller = caller("proxy:write");
        Owner owner = caller.owner();
        UUID port = id(id);
        return idempotency.execute("user:" + caller.userId(), key, "POST", "/v1/ports/" + port + "/extend-time", body,
                tx -> ports.extend(tx, owner, port, body.hours())
                        .map(e -> Response.ok(new Extended(e.expiresAt(), e.maxHoursAllowed())).build()));
    }

    @GET
    @Path("/{id}/max-extend-hours")
    @Operation(summary = "How many hours the port may still be extended by, and the latest end it may have")
    public Uni<MaxExtend> maxExtendHours(@PathParam("id") String id) {
        Owner owner = caller("proxy:read").owner();
        return ports.maxExtension(owner, id(id)).map(e -> new MaxExtend(e.maxHoursAllowed(), e.expiresAt(), e.latestExpiresAt()));
    }

    static boolean active(Port p) {
        return Port.ACTIVE.equals(p.status()) && p.deviceOnline();
    }

    private Principal caller(String scope) {
        Principal caller = principal.get();
        caller.requireScope(scope);
        return caller;
    }

    public static UUID id(String raw) {
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("port");
        }
    }
}
