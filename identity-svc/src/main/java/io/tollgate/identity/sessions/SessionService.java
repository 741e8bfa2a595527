package io.tollgate.identity.sessions;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.identity.SessionRevoked;
import io.tollgate.identity.auth.ClientInfo;
import io.tollgate.identity.crypto.Secrets;
import io.tollgate.identity.keys.TokenIssuer;
import io.tollgate.identity.users.User;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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

    private final TokenIssuer issuer;
    private final Outbox outbox;
    private final Pool pool;
    private final Clock clock;
    private final Duration sessionTtl;
    private final Duration raceWindow;

    public SessionService(TokenIssuer issuer, Outbox outbox, Pool pool, Clock clock,
                          @ConfigProperty(name = "tollgate.identity.session-ttl", defaultValue = "P30D") Duration sessionTtl,
                          @ConfigProperty(name = "tollgate.identity.refresh-race-window", defaultValue = "PT5S") Duration raceWindow) {
        this.issuer = issuer;
        this.outbox = outbox;
        this.pool = pool;
        this.clock = clock;
        this.sessionTtl = sessionTtl;
        this.raceWindow = raceWindow;
    }

    /** Opens a session for a user who just proved who they are; call inside a transaction. */
    public Uni<Tokens> open(User user, ClientInfo client, String deviceName, List<String> amr) {
        Instant now = clock.instant();
        Session session = new Session();
        session.id = UUID.randomUUID();
        session.userId = user.id;
        session.tenantId = user.tenantId;
        session.deviceName = deviceName;
        session.userAgent = client.userAgent();
        session.ipAddress = client.ip();
        session.amr = amr;
        session.createdAt = now;
        session.lastUsedAt = now;
        session.expiresAt = now.plus(sessionTtl);
        return session.persist().call(Panache::flush).chain(() -> issue(session, user));
    }

    // The hot path in one statement: spend the token, extend the session, read the user and store
    // the next token, all or nothing. An empty result means "not spendable"; the slow path explains why.
    private static final String ROTATE = """
            with target as (
                select rt.session_id from refresh_tokens rt
                  join sessions s on s.id = rt.session_id and s.revoked_at is null and s.expires_at > $2
                  join users u on u.id = s.user_id and (u.banned_at is null or (u.unblock_at is not null and u.unblock_at <= $2))
                 where rt.token_hash = $1 and rt.used_at is null and rt.expires_at > $2),
            spent as (
                update refresh_tokens set used_at = $2
                 where token_hash = $1 and used_at is null and session_id in (select session_id from target)
                returning session_id),
            live as (
                update sessions set last_used_at = $2, expires_at = $3
                  from spent where sessions.id = spent.session_id
                returning sessions.id, sessions.user_id, sessions.amr),
            owner as (
                select u.id, u.tenant_id, u.email, u.full_name, u.role, u.email_verified_at
                  from users u join live on u.id = live.user_id),
            stored as (
                insert into refresh_tokens (token_hash, session_id, issued_at, expires_at)
                select $4, live.id, $2, $3 from live
                returning session_id)
            select live.id as session_id, live.amr, owner.*
              from live join owner on true join stored on stored.session_id = live.id""";

    private static final String OPEN = """
            with opened as (
                insert into sessions (id, user_id, tenant_id, device_name, user_agent, ip_address, amr, created_at, last_used_at, expires_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
                returning id),
            token as (
                insert into refresh_tokens (token_hash, session_id, issued_at, expires_at)
                select $10, id, $8, $9 from opened
                returning session_id)
            insert into login_history (tenant_id, user_id, email, success, ip_address, user_agent, created_at)
            select $3, $2, $11, true, $6, $5, $8 from token""";

    /**
     * A password sign-in's session, refresh token and login-history row in one statement: the
     * busiest write of sign-in, kept to a single round trip.
     */
    public Uni<Tokens> openAfterLogin(User user, ClientInfo client, String deviceName, String email) {
        Instant now = clock.instant();
        UUID sessionId = UUID.randomUUID();
        String refresh = "rt_" + Secrets.token(32);
        Instant expires = now.plus(sessionTtl);
        List<String> amr = List.of("pwd");
        Tuple values = Tuple.tuple().addUUID(sessionId).addUUID(user.id).addUUID(user.tenantId).addString(deviceName)
                .addString(client.userAgent()).addString(client.ip()).addArrayOfString(amr.toArray(String[]::new))
                .addOffsetDateTime(utc(now)).addOffsetDateTime(utc(expires)).addString(Secrets.sha256(refresh))
                .addString(email.length() > 254 ? email.substring(0, 254) : email);
        return pool.preparedQuery(OPEN).execute(values).map(ignored -> {
            TokenIssuer.Issued access = issuer.user(user.id, user.tenantId, sessionId, user.role, user.emailVerified(), amr);
            return new Tokens(access.token(), refresh, access.expiresIn(), sessionId, user);
        });
    }

    /** Spends a refresh token and issues a new pair. */
    public Uni<Tokens> refresh(String refreshToken) {
        String hash = Secrets.sha256(refreshToken);
        Instant now = clock.instant();
        String next = "rt_" + Secrets.token(32);
        return pool.preparedQuery(ROTATE)
                .execute(Tuple.of(hash, utc(now), utc(now.plus(sessionTtl)), Secrets.sha256(next)))
                .chain(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return slowPath(hash, now);
                    }
                    Row row = it.next();
                    User user = new User();
                    user.id = row.getUUID("id");
                    user.tenantId = row.getUUID("tenant_id");
                    user.email = row.getString("email");
                    user.fullName = row.getString("full_name");
                    user.role = row.getString("role");
                    var verified = row.getOffsetDateTime("email_verified_at");
                    user.emailVerifiedAt = verified == null ? null : verified.toInstant();
                    UUID sessionId = row.getUUID("session_id");
                    List<String> amr = List.of(row.getArrayOfStrings("amr"));
                    TokenIssuer.Issued access = issuer.user(user.id, user.tenantId, sessionId, user.role, user.emailVerified(), amr);
                    return Uni.createFrom().item(new Tokens(access.token(), next, access.expiresIn(), sessionId, user));
                });
    }

    // Why the token could not be spent: unknown, expired, revoked, banned, a race or a replay.
    private Uni<Tokens> slowPath(String hash, Instant now) {
        // A refusal is a value inside the transaction, so a reuse revocation commits before the caller hears "no".
        return Panache.withTransaction(() -> refused(hash, now)).map(Outcome::tokensOrThrow);
    }

    private record Outcome(Tokens tokens, ProblemException refusal) {
        static Outcome issued(Tokens tokens) {
            return new Outcome(tokens, null);
        }

        static Outcome refused(ProblemException refusal) {
            return new Outcome(null, refusal);
        }

        Tokens tokensOrThrow() {
            if (refusal != null) {
                throw refusal;
            }
            return tokens;
        }
    }

    // The token was not spendable: unknown, expired, or already spent (a race, or a replay).
    private Uni<Outcome> refused(String hash, Instant now) {
        return Panache.getSession().chain(db -> db.createNativeQuery(
                        "select cast(session_id as text), used_at from refresh_tokens where token_hash = ?1", Object[].class)
                .setParameter(1, hash).getResultList())
                .chain(rows -> {
                    if (rows.isEmpty()) {
                        return Uni.createFrom().item(Outcome.refused(invalid()));
                    }
                    Object[] row = rows.getFirst();
                    Instant usedAt = toInstant(row[1]);
                    if (usedAt == null) {
                        return Uni.createFrom().item(Outcome.refused(invalid())); // expired, never used
                    }
                    if (usedAt.plus(raceWindow).isAfter(now)) {
                        return Uni.createFrom().item(Outcome.refused(ProblemException.unauthorized("REFRESH_TOKEN_SPENT",
                                "This refresh token was just used by another request; use the tokens that request received.")));
                    }
                    return revoke(UUID.fromString((String) row[0]), "refresh_reuse")
                            .replaceWith(Outcome.refused(ProblemException.unauthorized("REFRESH_TOKEN_REUSED",
                                    "This refresh token was already used; the session has been revoked.")));
                });
    }

    /** Ends one session (idempotent) and tells the gateway; call inside a transaction. */
    public Uni<Boolean> revoke(UUID sessionId, String reason) {
        Instant now = clock.instant();
        return Session.<Session>findById(sessionId).chain(session -> {
            if (session == null || session.revokedAt != null) {
                return Uni.createFrom().item(false);
            }
            session.revokedAt = now;
            session.revokeReason = reason;
            return outbox.append(session.id.toString(), "sessions/" + session.id,
                            new SessionRevoked(session.id, session.userId, session.tenantId, reason, now))
                    .replaceWith(true);
        });
    }

    /** Ends every active session of a user except {@code keep} (may be null); returns how many. */
    public Uni<Integer> revokeAll(UUID userId, UUID keep, String reason) {
        return Session.<Session>list("userId = ?1 and revokedAt is null", userId).chain(sessions -> {
            Uni<Integer> count = Uni.createFrom().item(0);
            for (Session s : sessions) {
                if (!s.id.equals(keep)) {
                    count = count.chain(n -> revoke(s.id, reason).map(done -> done ? n + 1 : n));
                }
            }
            return count;
        });
    }

    private Uni<Tokens> issue(Session session, User user) {
        String refresh = "rt_" + Secrets.token(32);
        Instant now = clock.instant();
        TokenIssuer.Issued access = issuer.user(user.id, user.tenantId, session.id, user.role, user.emailVerified(), session.amr);
        return Panache.getSession().chain(db -> db.createNativeQuery(
                        "insert into refresh_tokens (token_hash, session_id, issued_at, expires_at) values (?1, ?2, ?3, ?4)")
                .setParameter(1, Secrets.sha256(refresh)).setParameter(2, session.id)
                .setParameter(3, utc(now)).setParameter(4, utc(session.expiresAt)).executeUpdate())
                .replaceWith(new Tokens(access.token(), refresh, access.expiresIn(), session.id, user));
    }

    private static ProblemException invalid() {
        return ProblemException.unauthorized("INVALID_REFRESH_TOKEN", "The refresh token is invalid or expired.");
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant toInstant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        if (value instanceof java.time.LocalDateTime ldt) {
            return ldt.toInstant(ZoneOffset.UTC);
        }
        if (value instanceof Instant i) {
            return i;
        }
        return OffsetDateTime.parse(value.toString()).toInstant();
    }
}
