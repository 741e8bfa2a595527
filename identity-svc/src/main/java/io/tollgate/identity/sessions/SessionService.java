package io.tollgate.identity.sessions;

import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.SessionRevoked;
import io.tollgate.identity.auth.ClientInfo;
import io.tollgate.identity.crypto.Secrets;
import io.tollgate.identity.keys.TokenIssuer;
import io.tollgate.identity.users.User;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Sessions and their refresh tokens. A refresh token is opaque, stored only as a SHA-256 digest
 * and spent by the first refresh that presents it (one atomic UPDATE decides the winner). A
 * spent token presented again after the race window is theft or a replay: the whole session is
 * revoked. Within the window (a client's own parallel retries) the loser is refused without
 * revoking, so a double-firing client is not logged out.
 */
@ApplicationScoped
public class SessionService {

    public record Tokens(String accessToken, String refreshToken, long expiresIn, UUID sessionId, User user) {
    }

    private final SessionRepository sessions;
    private final TokenIssuer issuer;
    private final Outbox outbox;
    private final Pool pool;
    private final Clock clock;
    private final Duration sessionTtl;
    private final Duration raceWindow;

    public SessionService(SessionRepository sessions, TokenIssuer issuer, Outbox outbox, Pool pool, Clock clock,
                          @ConfigProperty(name = "tollgate.identity.session-ttl", defaultValue = "P30D") Duration sessionTtl,
                          @ConfigProperty(name = "tollgate.identity.refresh-race-window", defaultValue = "PT5S") Duration raceWindow) {
        this.sessions = sessions;
        this.issuer = issuer;
        this.outbox = outbox;
        this.pool = pool;
        this.clock = clock;
        this.sessionTtl = sessionTtl;
        this.raceWindow = raceWindow;
    }

    /** A password sign-in: the session, its refresh token and the login-history row (as {@code email} was typed). */
    public Uni<Tokens> openAfterLogin(User user, ClientInfo client, String deviceName, String email) {
        return open(pool, user, client, deviceName, List.of("pwd"), email);
    }

    /** A sign-in that also proved a second factor, inside the caller's transaction {@code tx}. */
    public Uni<Tokens> open(SqlClient tx, User user, ClientInfo client, String deviceName, List<String> amr) {
        return open(tx, user, client, deviceName, amr, user.email());
    }

    private Uni<Tokens> open(SqlClient sql, User user, ClientInfo client, String deviceName, List<String> amr, String email) {
        Instant now = clock.instant();
        UUID sessionId = UUID.randomUUID();
        String refresh = "rt_" + Secrets.token(32);
        String recorded = email.length() > 254 ? email.substring(0, 254) : email;
        return sessions.open(sql, sessionId, user, client, deviceName, amr, now, now.plus(sessionTtl), Secrets.sha256(refresh), recorded)
                .map(ignored -> {
                    TokenIssuer.Issued access = issuer.user(user.id(), user.tenantId(), sessionId, user.role(), user.emailVerified(), amr);
                    return new Tokens(access.token(), refresh, access.expiresIn(), sessionId, user);
                });
    }

    /** Spends a refresh token and issues a new pair. */
    public Uni<Tokens> refresh(String refreshToken) {
        String hash = Secrets.sha256(refreshToken);
        Instant now = clock.instant();
        String next = "rt_" + Secrets.token(32);
        return sessions.rotate(hash, now, now.plus(sessionTtl), Secrets.sha256(next)).chain(rotated -> {
            if (rotated == null) {
                return slowPath(hash, now);
            }
            User user = rotated.user();
            TokenIssuer.Issued access = issuer.user(user.id(), user.tenantId(), rotated.sessionId(), user.role(), user.emailVerified(),
                    rotated.amr());
            return Uni.createFrom().item(new Tokens(access.token(), next, access.expiresIn(), rotated.sessionId(), user));
        });
    }

    // Why the token could not be spent: unknown, expired, revoked, banned, a race or a replay. The
    // refusal is the transaction's result, so a reuse revocation commits before the caller hears "no".
    private Uni<Tokens> slowPath(String hash, Instant now) {
        return pool.withTransaction(tx -> refusal(tx, hash, now)).chain(refusal -> Uni.createFrom().<Tokens>failure(refusal));
    }

    private Uni<ProblemException> refusal(SqlClient tx, String hash, Instant now) {
        return sessions.refreshToken(tx, hash).chain(token -> {
            if (token == null || token.usedAt() == null) {
                return Uni.createFrom().item(invalid()); // unknown, or expired (or its session ended) unused
            }
            if (token.usedAt().plus(raceWindow).isAfter(now)) {
                return Uni.createFrom().item(ProblemException.unauthorized("REFRESH_TOKEN_SPENT",
                        "This refresh token was just used by another request; use the tokens that request received."));
            }
            return revoke(tx, token.sessionId(), "refresh_reuse").replaceWith(ProblemException.unauthorized("REFRESH_TOKEN_REUSED",
                    "This refresh token was already used; the session has been revoked."));
        });
    }

    /** The owner's active sessions, most recently used first. */
    public Uni<Page<Session>> list(Owner owner, PageRequest page) {
        return sessions.page(owner, clock.instant(), page).map(slice -> Page.of(slice.rows(), page, slice.total()));
    }

    /** Every active session of a user (for an administrator). */
    public Uni<List<Session>> active(User user) {
        return sessions.active(new Owner(user.id(), user.tenantId()), clock.instant());
    }

    /** Ends one of the owner's sessions; 404 when the owner has no such open session. */
    public Uni<Void> revoke(Owner owner, UUID sessionId) {
        Instant now = clock.instant();
        return pool.withTransaction(tx -> sessions.revoke(tx, owner, sessionId, "revoked", now)
                .chain(session -> session == null ? Uni.createFrom().failure(ProblemException.notFound("Session " + sessionId))
                        : announce(tx, session, now)));
    }

    /** Ends the owner's current session (again is harmless). */
    public Uni<Void> logout(Owner owner, UUID sessionId) {
        Instant now = clock.instant();
        return pool.withTransaction(tx -> sessions.revoke(tx, owner, sessionId, "logout", now)
                .chain(session -> session == null ? Uni.createFrom().voidItem() : announce(tx, session, now)));
    }

    /** Ends every session of the owner but {@code keep}; returns how many. */
    public Uni<Integer> revokeOthers(Owner owner, UUID keep) {
        return pool.withTransaction(tx -> revokeAll(tx, owner.userId(), keep, "revoke_others"));
    }

    /** Ends every active session of a user except {@code keep} (may be null) in {@code tx}; returns how many. */
    public Uni<Integer> revokeAll(SqlClient tx, UUID userId, UUID keep, String reason) {
        Instant now = clock.instant();
        return sessions.revokeAll(tx, userId, keep, reason, now).chain(revoked -> {
            Uni<Void> events = Uni.createFrom().voidItem();
            for (Session session : revoked) {
                events = events.chain(() -> announce(tx, session, now));
            }
            return events.replaceWith(revoked.size());
        });
    }

    // Ends one session (idempotent) in tx and tells the gateway.
    private Uni<Void> revoke(SqlClient tx, UUID sessionId, String reason) {
        Instant now = clock.instant();
        return sessions.revoke(tx, sessionId, reason, now)
                .chain(session -> session == null ? Uni.createFrom().voidItem() : announce(tx, session, now));
    }

    private Uni<Void> announce(SqlClient tx, Session session, Instant at) {
        return outbox.append(tx, session.id().toString(), "sessions/" + session.id(), new SessionRevoked(session.id(),
                session.userId(), session.tenantId(), session.revokeReason(), at)).replaceWithVoid();
    }

    private static ProblemException invalid() {
        return ProblemException.unauthorized("INVALID_REFRESH_TOKEN", "The refresh token is invalid or expired.");
    }
}
