package io.tollgate.identity.admin;

import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.UserBanned;
import io.tollgate.contracts.identity.UserUnbanned;
import io.tollgate.identity.apikeys.ApiKey;
import io.tollgate.identity.apikeys.ApiKeyService;
import io.tollgate.identity.sessions.Session;
import io.tollgate.identity.sessions.SessionService;
import io.tollgate.identity.users.User;
import io.tollgate.identity.users.UserRepository;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.tollgate.kit.security.Principal;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What administrators may do to users. A tenant admin reaches only their tenant's users, a platform
 * admin every user; a user out of reach is 404. Only platform admins grant the admin role, and
 * nobody changes their own role or bans themselves.
 */
@ApplicationScoped
public class AdminUserService {

    private final UserRepository users;
    private final SessionService sessions;
    private final ApiKeyService keys;
    private final Outbox outbox;
    private final Pool pool;
    private final Clock clock;

    public AdminUserService(UserRepository users, SessionService sessions, ApiKeyService keys, Outbox outbox, Pool pool,
                            Clock clock) {
        this.users = users;
        this.sessions = sessions;
        this.keys = keys;
        this.outbox = outbox;
        this.pool = pool;
        this.clock = clock;
    }

    /** Users whose e-mail or name contains {@code q}, newest first; every filter may be null. */
    public Uni<Page<User>> search(Principal admin, String q, String role, Boolean banned, PageRequest page) {
        String text = q == null || q.isBlank() ? null : q.trim().toLowerCase();
        return users.search(scope(admin), text, role, banned, page).map(slice -> Page.of(slice.rows(), page, slice.total()));
    }

    public Uni<User> get(Principal admin, UUID id) {
        return visible(pool, admin, id);
    }

    public Uni<User> setRole(Principal admin, UUID id, String role) {
        if ("admin".equals(role) && !admin.hasRole("admin")) {
            throw ProblemException.forbidden("FORBIDDEN", "Only platform admins can grant the admin role.");
        }
        if (id.equals(admin.userUuid())) {
            throw ProblemException.forbidden("CANNOT_CHANGE_OWN_ROLE", "You cannot change your own role.");
        }
        return users.setRole(id, scope(admin), role, clock.instant()).map(u -> found(u, id));
    }

    /** Bans a user until {@code unblockDate} (or for good): their sessions end and their API keys stop working. */
    public Uni<User> ban(Principal admin, UUID id, String reason, Instant unblockDate) {
        Instant now = clock.instant();
        if (id.equals(admin.userUuid())) {
            throw ProblemException.forbidden("CANNOT_BAN_SELF", "You cannot ban yourself.");
        }
        if (unblockDate != null && !unblockDate.isAfter(now)) {
            throw ProblemException.validation("unblock_date", "must be in the future");
        }
        return pool.withTransaction(tx -> users.ban(tx, id, scope(admin), reason, unblockDate, now).map(u -> found(u, id))
                .call(u -> sessions.revokeAll(tx, u.id(), null, "ban"))
                .call(u -> outbox.append(tx, u.id().toString(), "users/" + u.id(),
                        new UserBanned(u.id(), u.tenantId(), reason, unblockDate, admin.userId(), now))));
    }

    /** Lifts a ban (a user who is not banned is left as they are). */
    public Uni<User> unban(Principal admin, UUID id) {
        Instant now = clock.instant();
        return pool.withTransaction(tx -> users.unban(tx, id, scope(admin), now).chain(u -> u == null ? visible(tx, admin, id)
                : outbox.append(tx, u.id().toString(), "users/" + u.id(), new UserUnbanned(u.id(), u.tenantId(), null, null,
                        admin.userId(), now)).replaceWith(u)));
    }

    /** The user's active sessions. */
    public Uni<List<Session>> sessions(Principal admin, UUID id) {
        return visible(pool, admin, id).chain(sessions::active);
    }

    /** Ends every session of the user; returns how many. */
    public Uni<Integer> revokeSessions(Principal admin, UUID id) {
        return pool.withTransaction(tx -> visible(tx, admin, id).chain(u -> sessions.revokeAll(tx, u.id(), null, "admin")));
    }

    /** Every API key of the user, newest first. */
    public Uni<List<ApiKey>> apiKeys(Principal admin, UUID id) {
        return visible(pool, admin, id).chain(u -> keys.all(new Owner(u.id(), u.tenantId())));
    }

    /** Revokes every active API key of the user; returns how many. */
    public Uni<Integer> revokeApiKeys(Principal admin, UUID id) {
        return pool.withTransaction(tx -> visible(tx, admin, id)
                .chain(u -> keys.revokeAll(tx, new Owner(u.id(), u.tenantId()), "revoked by an administrator")));
    }

    private Uni<User> visible(SqlClient client, Principal admin, UUID id) {
        return users.visible(client, id, scope(admin)).map(u -> found(u, id));
    }

    // The tenant an administrator is limited to; null for a platform administrator.
    private static UUID scope(Principal admin) {
        return admin.hasRole("admin") ? null : admin.owner().tenantId();
    }

    private static User found(User user, UUID id) {
        if (user == null) {
            throw ProblemException.notFound("User " + id);
        }
        return user;
    }
}
