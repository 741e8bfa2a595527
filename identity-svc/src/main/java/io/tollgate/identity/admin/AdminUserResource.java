package io.tollgate.identity.admin;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.UserBanned;
import io.tollgate.contracts.identity.UserUnbanned;
import io.tollgate.identity.apikeys.ApiKey;
import io.tollgate.identity.apikeys.ApiKeyService;
import io.tollgate.identity.sessions.Session;
import io.tollgate.identity.sessions.SessionService;
import io.tollgate.identity.users.User;
import io.tollgate.kit.outbox.Outbox;
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
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
            return new UserView(u.id, u.tenantId, u.email, u.fullName, u.role, u.emailVerified(), u.mfaEnabled,
                    u.banned(now), u.banned(now) ? u.banReason : null, u.banned(now) ? u.unblockAt : null, u.createdAt);
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
    private final SessionService sessions;
    private final ApiKeyService keys;
    private final Outbox outbox;
    private final Clock clock;

    public AdminUserResource(CurrentPrincipal principal, SessionService sessions, ApiKeyService keys, Outbox outbox, Clock clock) {
        this.principal = principal;
        this.sessions = sessions;
        this.keys = keys;
        this.outbox = outbox;
        this.clock = clock;
    }

    @GET
    @Operation(summary = "Search users by e-mail or name")
    public Uni<Page<UserView>> search(@QueryParam("q") @Size(max = 100) String q, @QueryParam("role") String role,
                                      @QueryParam("banned") Boolean banned, @Valid @BeanParam PageRequest page) {
        Principal admin = admin();
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (!admin.hasRole("admin")) {
            params.add(admin.tenantId());
            where.add("tenantId = ?" + params.size());
        }
        if (q != null && !q.isBlank()) {
            params.add("%" + q.trim().toLowerCase().replace("%", "\\%").replace("_", "\\_") + "%");
            where.add("(emailNormalized like ?" + params.size() + " or lower(fullName) like ?" + params.size() + ")");
        }
        if (role != null) {
            params.add(role);
            where.add("role = ?" + params.size());
        }
        if (banned != null) {
            where.add(banned ? "bannedAt is not null" : "bannedAt is null");
        }
        String query = where.isEmpty() ? "1 = 1" : String.join(" and ", where);
        Object[] args = params.toArray();
        Instant now = clock.instant();
        return Panache.withSession(() -> User.<User>find(query + " order by createdAt desc", args).page(page.page() - 1, page.size()).list()
                .chain(rows -> User.count(query, args).map(total -> Page.of(rows.stream().map(u -> UserView.of(u, now)).toList(), page, total))));
    }

    @GET
    @Path("/{id}")
    public Uni<UserView> get(@PathParam("id") UUID id) {
        Principal admin = admin();
        return Panache.withSession(() -> visible(admin, id)).map(u -> UserView.of(u, clock.instant()));
    }

    @PUT
    @Path("/{id}/role")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set the role; only platform admins grant admin, and nobody demotes themselves")
    public Uni<UserView> setRole(@PathParam("id") UUID id, @Valid @NotNull RoleChange body) {
        Principal admin = admin();
        if ("admin".equals(body.role()) && !admin.hasRole("admin")) {
            throw ProblemException.forbidden("FORBIDDEN", "Only platform admins can grant the admin role.");
        }
        if (id.equals(admin.userUuid())) {
            throw ProblemException.forbidden("CANNOT_CHANGE_OWN_ROLE", "You cannot change your own role.");
        }
        return Panache.withTransaction(() -> visible(admin, id).invoke(u -> {
            u.role = body.role();
            u.updatedAt = clock.instant();
        })).map(u -> UserView.of(u, clock.instant()));
    }

    @POST
    @Path("/{id}/ban")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ban a user: their sessions end and their API keys stop, until the unblock date if given")
    public Uni<UserView> ban(@PathParam("id") UUID id, @Valid @NotNull Ban body) {
        Principal admin = admin();
        Instant now = clock.instant();
        if (id.equals(admin.userUuid())) {
            throw ProblemException.forbidden("CANNOT_BAN_SELF", "You cannot ban yourself.");
        }
        if (body.unblockDate() != null && !body.unblockDate().isAfter(now)) {
            throw ProblemException.validation("unblock_date", "must be in the future");
        }
        return Panache.withTransaction(() -> visible(admin, id).chain(u -> {
            u.bannedAt = now;
            u.banReason = body.reason();
            u.unblockAt = body.unblockDate();
            u.updatedAt = now;
            return sessions.revokeAll(u.id, null, "ban")
                    .chain(() -> outbox.append(u.id.toString(), "users/" + u.id,
                            new UserBanned(u.id, u.tenantId, body.reason(), body.unblockDate(), admin.userId(), now)))
                    .replaceWith(u);
        })).map(u -> UserView.of(u, now));
    }

    @POST
    @Path("/{id}/unban")
    public Uni<UserView> unban(@PathParam("id") UUID id) {
        Principal admin = admin();
        Instant now = clock.instant();
        return Panache.withTransaction(() -> visible(admin, id).chain(u -> {
            if (u.bannedAt == null) {
                return Uni.createFrom().item(u);
            }
            u.bannedAt = null;
            u.banReason = null;
            u.unblockAt = null;
            u.updatedAt = now;
            return outbox.append(u.id.toString(), "users/" + u.id, new UserUnbanned(u.id, u.tenantId, null, null, admin.userId(), now))
                    .replaceWith(u);
        })).map(u -> UserView.of(u, now));
    }

    @GET
    @Path("/{id}/sessions")
    public Uni<List<SessionView>> sessions(@PathParam("id") UUID id) {
        Principal admin = admin();
        return Panache.withSession(() -> visible(admin, id).chain(u -> Session.<Session>list(
                        "userId = ?1 and revokedAt is null and expiresAt > ?2 order by lastUsedAt desc", u.id, clock.instant())))
                .map(rows -> rows.stream().map(s -> new SessionView(s.id, s.deviceName, s.ipAddress, s.createdAt, s.lastUsedAt)).toList());
    }

    @DELETE
    @Path("/{id}/sessions")
    @Operation(summary = "Force the user to sign in again everywhere")
    public Uni<Map<String, Integer>> revokeSessions(@PathParam("id") UUID id) {
        Principal admin = admin();
        return Panache.withTransaction(() -> visible(admin, id).chain(u -> sessions.revokeAll(u.id, null, "admin")))
                .map(n -> Map.of("revoked_count", n));
    }

    @GET
    @Path("/{id}/api-keys")
    public Uni<List<KeyView>> apiKeys(@PathParam("id") UUID id) {
        Principal admin = admin();
        Instant now = clock.instant();
        return Panache.withSession(() -> visible(admin, id).chain(u -> ApiKey.<ApiKey>list("userId = ?1 order by createdAt desc", u.id)))
                .map(rows -> rows.stream().map(k -> new KeyView(k.id, k.name, k.keyPrefix, k.last4, k.active(now), k.lastUsedAt)).toList());
    }

    @DELETE
    @Path("/{id}/api-keys")
    @Operation(summary = "Revoke every API key of the user")
    public Uni<Map<String, Integer>> revokeKeys(@PathParam("id") UUID id) {
        Principal admin = admin();
        return Panache.withTransaction(() -> visible(admin, id).chain(u -> keys.revokeAllOf(u.id, "revoked by an administrator")))
                .map(n -> Map.of("revoked_count", n));
    }

    private Principal admin() {
        Principal caller = principal.jwt();
        if (!caller.hasRole("admin") && !caller.hasRole("tenant_admin")) {
            throw ProblemException.forbidden("ADMIN_ONLY", "This needs an administrator.");
        }
        return caller;
    }

    private static Uni<User> visible(Principal admin, UUID id) {
        return User.<User>findById(id).map(u -> {
            if (u == null || (!admin.hasRole("admin") && !u.tenantId.equals(admin.tenantId()))) {
                throw ProblemException.notFound("User " + id);
            }
            return u;
        });
    }
}
