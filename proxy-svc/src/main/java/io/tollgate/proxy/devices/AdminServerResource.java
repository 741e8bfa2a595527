package io.tollgate.proxy.devices;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.ids.Ids;
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
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Data-plane nodes, for platform administrators: address, port ranges and what each device may carry. */
@Path("/v1/admin/proxy/servers")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Proxy administration")
public class AdminServerResource {

    public record PortRange(@NotNull @Min(1024) @Max(65535) Integer start, @NotNull @Min(1024) @Max(65535) Integer end) {
    }

    public record ServerBody(@NotBlank @Size(max = 100) @Pattern(regexp = "^[a-zA-Z0-9._-]+$") String name,
                             @NotBlank @Size(max = 64) @Pattern(regexp = "^[0-9a-fA-F.:]+$") String ip,
                             @NotNull @Valid PortRange httpPortRange, @NotNull @Valid PortRange socksPortRange,
                             @Min(1) @Max(100_000) Integer defaultMaxConn, @Min(1) @Max(100_000) Integer defaultConnLim,
                             @Min(1) @Max(100) Integer softMaxPortsPerDevice, @Min(1) @Max(100) Integer maxPortsPerDevice,
                             @Pattern(regexp = "^(active|inactive|maintenance)$") String status) {
    }

    public record ServerView(UUID id, String name, String ip, PortRange httpPortRange, PortRange socksPortRange, int defaultMaxConn,
                             int defaultConnLim, int softMaxPortsPerDevice, int maxPortsPerDevice, String status, Instant createdAt,
                             Instant updatedAt) {
        static ServerView of(Server s) {
            return new ServerView(s.id(), s.name(), s.ip(), new PortRange(s.httpPortStart(), s.httpPortEnd()),
                    new PortRange(s.socksPortStart(), s.socksPortEnd()), s.defaultMaxConn(), s.defaultConnLim(),
                    s.softMaxPortsPerDevice(), s.maxPortsPerDevice(), s.status(), s.createdAt(), s.updatedAt());
        }
    }

    private final DeviceService devices;
    private final CurrentPrincipal principal;

    public AdminServerResource(DeviceService devices, CurrentPrincipal principal) {
        this.devices = devices;
        this.principal = principal;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a node: its address, HTTP and SOCKS port ranges, connection defaults and ports per device (soft 3, hard 5)")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = ServerView.class)))
    public Uni<Response> create(@Valid @NotNull ServerBody body) {
        principal.get().requirePlatformAdmin();
        return devices.createServer(server(Ids.next(), body))
                .map(s -> Response.status(201).header("Location", "/v1/admin/proxy/servers/" + s.id()).entity(ServerView.of(s)).build());
    }

    @GET
    public Uni<Page<ServerView>> list(@Valid @BeanParam PageRequest page) {
        principal.get().requirePlatformAdmin();
        return devices.servers(page).map(p -> p.map(ServerView::of));
    }

    @GET
    @Path("/{id}")
    public Uni<ServerView> get(@PathParam("id") String id) {
        principal.get().requirePlatformAdmin();
        return devices.server(id(id)).map(ServerView::of);
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace a node's settings (its name stays)")
    public Uni<ServerView> update(@PathParam("id") String id, @Valid @NotNull ServerBody body) {
        principal.get().requirePlatformAdmin();
        return devices.updateServer(server(id(id), body)).map(ServerView::of);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Remove a node that carries no devices (409 SERVER_IN_USE otherwise)")
    public Uni<Map<String, String>> delete(@PathParam("id") String id) {
        principal.get().requirePlatformAdmin();
        return devices.deleteServer(id(id)).replaceWith(Map.of("message", "Server deleted"));
    }

    private static Server server(UUID id, ServerBody b) {
        return new Server(id, b.name(), b.ip(), b.httpPortRange().start(), b.httpPortRange().end(), b.socksPortRange().start(),
                b.socksPortRange().end(), b.defaultMaxConn() == null ? 100 : b.defaultMaxConn(),
                b.defaultConnLim() == null ? 50 : b.defaultConnLim(),
                b.softMaxPortsPerDevice() == null ? 3 : b.softMaxPortsPerDevice(),
                b.maxPortsPerDevice() == null ? 5 : b.maxPortsPerDevice(), b.status() == null ? "active" : b.status(), null, null);
    }

    static UUID id(String raw) {
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("server");
        }
    }
}
