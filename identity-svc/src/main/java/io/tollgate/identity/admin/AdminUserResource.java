package io.tollgate.identity.admin;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.identity.users.User;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Platform administration of users. A tenant admin sees only their tenant's users; a platform
 * admin sees all. Anything else is 403, and a user of another tenant is 404.
 */
@Path("/v1/admin/users")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Admin")
public class AdminUserResource {

    public record UserView(UUID id, UUID tenantId, String email, String fullName, String role, boolean emailVerified,
                           boolean mfaEnabled, boolean banned, String banReason, Instant unblockDate, Instant createdAt) {
        static UserView of(User u, Instant now) {
            return new UserView(u.id(), u.tenantId(), u.email(), u.fullName(), u.role(), u.emailVerified(), u.mfaEnabled(),
                    u.banned(now), u.banned(now) ? u.banReason() : null, u.banned(now) ? u.unblockAt() : null, u.createdAt());
        }
    }

    public record RoleChange(@NotNull @Pattern(regexp = "^(customer|tenant_admin|admin)$", message = "must be customer, tenant_admin or admin") String role) {
    }

    public record Ban(@NotBlank @Size(max = 500) String reason, Instant unblockDate) {
    }

    public record SessionView(UUID id, String deviceName, String ipAddress, Instant issuedAt, Instant lastUsedAt) {
    }

    public record KeyView(UUID id, String name, String keyPrefix, String last4, boolean isActive, Instant lastUsedAt) {
    }

    private final CurrentPrincipal principal;
    private final AdminUserService users;
    private final Clock clock;

    public AdminUserResource(CurrentPrincipal principal, AdminUserService users, Clock clock) {
        this.principal = principal;
        this.users = users;
        this.clock = clock;
    }

    @GET
    @Operation(summary = "Search users by e-mail or name")
    public Uni<Page<UserView>> search(@QueryParam("q") @Size(max = 100) String q, @QueryParam("role") String role,
                                      @QueryParam("banned") Boolean banned, @Valid @BeanParam PageRequest page) {
        Instant now = clock.instant();
        return users.search(admin(), q, role, banned, page).map(p -> p.map(u -> UserView.of(u, now)));
    }

    @GET
    @Path("/{id}")
    public Uni<UserView> get(@PathParam("id") UUID id) {
        return users.get(admin(), id).map(u -> UserView.of(u, clock.instant()));
    }

    @PUT
    @Path("/{id}/role")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set the role; only platform admins grant admin, and nobody demotes themselves")
    public Uni<UserView> setRole(@PathParam("id") UUID id, @Valid @NotNull RoleChange body) {
        return users.setRole(admin(), id, body.role()).map(u -> UserView.of(u, clock.instant()));
    }

    @POST
    @Path("/{id}/ban")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ban a user: their sessions end and their API keys stop, until the unblock date if given")
    public Uni<UserView> ban(@PathParam("id") UUID id, @Valid @NotNull Ban body) {
        return users.ban(admin(), id, body.reason(), body.unblockDate()).map(u -> UserView.of(u, clock.instant()));
    }

    @POST
    @Path("/{id}/unban")
    public Uni<UserView> unban(@PathParam("id") UUID id) {
        return users.unban(admin(), id).map(u -> UserView.of(u, clock.instant()));
    }

    @GET
    @Path("/{id}/sessions")
    public Uni<List<SessionView>> sessions(@PathParam("id") UUID id) {
        return users.sessions(admin(), id).map(rows -> rows.stream()
                .map(s -> new SessionView(s.id(), s.deviceName(), s.ipAddress(), s.createdAt(), s.lastUsedAt())).toList());
    }

    @DELETE
    @Path("/{id}/sessions")
    @Operation(summary = "Force the user to sign in again everywhere")
    public Uni<Map<String, Integer>> revokeSessions(@PathParam("id") UUID id) {
        return users.revokeSessions(admin(), id).map(n -> Map.of("revoked_count", n));
    }

    @GET
    @Path("/{id}/api-keys")
    public Uni<List<KeyView>> apiKeys(@PathParam("id") UUID id) {
        Instant now = clock.instant();
        return users.apiKeys(admin(), id).map(rows -> rows.stream()
                .map(k -> new KeyView(k.id(), k.name(), k.keyPrefix(), k.last4(), k.active(now), k.lastUsedAt())).toList());
    }

    @DELETE
    @Path("/{id}/api-keys")
    @Operation(summary = "Revoke every API key of the user")
    public Uni<Map<String, Integer>> revokeKeys(@PathParam("id") UUID id) {
        return users.revokeApiKeys(admin(), id).map(n -> Map.of("revoked_count", n));
    }

    private Principal admin() {
        Principal caller = principal.jwt();
        if (!caller.hasRole("admin") && !caller.hasRole("tenant_admin")) {
            throw ProblemException.forbidden("ADMIN_ONLY", "This needs an administrator.");
        }
        return caller;
    }
}
