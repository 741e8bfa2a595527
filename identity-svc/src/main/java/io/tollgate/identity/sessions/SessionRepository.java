package io.tollgate.identity.sessions;

import io.smallrye.mutiny.Uni;
import io.tollgate.identity.auth.ClientInfo;
import io.tollgate.identity.users.User;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code sessions} and {@code refresh_tokens} tables. Signing in and refreshing are one
 * statement each (the hot paths); a user's own sessions are listed and revoked through its
 * {@link Owner}.
 */
@ApplicationScoped
public class SessionRepository {

    /** What a refresh spent and extended: the session, its methods and its user. */
    public record Rotated(UUID sessionId, List<String> amr, User user) {
        static Rotated from(Row row) {
            return new Rotated(row.getUUID("session_id"), List.of(row.getArrayOfStrings("amr")), User.from(row));
        }
    }

    /** A stored refresh token: its session and when it was spent (null while unspent). */
    public record RefreshToken(UUID sessionId, Instant usedAt) {
        static RefreshToken from(Row row) {
            OffsetDateTime used = row.getOffsetDateTime("used_at");
            return new RefreshToken(row.getUUID("session_id"), used == null ? null : used.toInstant());
        }
    }

    /** One page of a user's sessions, with the count of all of them. */
    public record Slice(List<Session> rows, long total) {
    }

    // The hot path in one statement: spend the token, extend the session, read the user and store
    // the next token, all or nothing. An empty result means "not spendable".
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
                select u.* from users u join live on u.id = live.user_id),
            stored as (
                insert into refresh_tokens (token_hash, session_id, issued_at, expires_at)
                select $4, live.id, $2, $3 from live
                returning session_id)
            select live.id as session_id, live.amr, owner.*
              from live join owner on true join stored on stored.session_id = live.id""";

    // A sign-in's session, refresh token and login-history row in one statement.
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

    private static final String ACTIVE = " from sessions where user_id = $1 and tenant_id = $2 and revoked_at is null and expires_at > $3";
    private static final String REVOKE = "update sessions set revoked_at = $2, revoke_reason = $3 where id = $1 and revoked_at is null";
    private static final String RETURNING = " returning " + Session.COLUMNS;

    private final Pool pool;

    public SessionRepository(Pool pool) {
        this.pool = pool;
    }

    /** Opens a session with its refresh token and records the successful sign-in as {@code email}. */
    public Uni<Void> open(SqlClient sql, UUID sessionId, User user, ClientInfo client, String deviceName, List<String> amr,
                          Instant now, Instant expires, String refreshHash, String email) {
        Tuple values = Tuple.tuple().addUUID(sessionId).addUUID(user.id()).addUUID(user.tenantId()).addString(deviceName)
                .addString(client.userAgent()).addString(client.ip()).addArrayOfString(amr.toArray(String[]::new))
                .addOffsetDateTime(utc(now)).addOffsetDateTime(utc(expires)).addString(refreshHash).addString(email);
        return sql.preparedQuery(OPEN).execute(values).replaceWithVoid();
    }

    /** Spends a refresh token and stores the next one; null when the token is not spendable. */
    public Uni<Rotated> rotate(String hash, Instant now, Instant expires, String nextHash) {
        return pool.preparedQuery(ROTATE).execute(Tuple.of(hash, utc(now), utc(expires), nextHash))
                .map(rows -> rows.size() == 0 ? null : Rotated.from(rows.iterator().next()));
    }

    public Uni<RefreshToken> refreshToken(SqlClient client, String hash) {
        return client.preparedQuery("select session_id, used_at from refresh_tokens where token_hash = $1").execute(Tuple.of(hash))
                .map(rows -> rows.size() == 0 ? null : RefreshToken.from(rows.iterator().next()));
    }

    /** The owner's active sessions, most recently used first. */
    public Uni<Slice> page(Owner owner, Instant now, PageRequest page) {
        return pool.preparedQuery("select count(*)" + ACTIVE).execute(Tuple.of(owner.userId(), owner.tenantId(), utc(now)))
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery("select " + Session.COLUMNS + ACTIVE + " order by last_used_at desc, id limit $4 offset $5")
                        .execute(Tuple.of(owner.userId(), owner.tenantId(), utc(now), page.size(), page.offset()))
                        .map(rows -> new Slice(sessions(rows), total)));
    }

    /** Every active session of a user, most recently used first (for an administrator). */
    public Uni<List<Session>> active(Owner owner, Instant now) {
        return pool.preparedQuery("select " + Session.COLUMNS + ACTIVE + " order by last_used_at desc, id")
                .execute(Tuple.of(owner.userId(), owner.tenantId(), utc(now))).map(SessionRepository::sessions);
    }

    /** Ends one session; null when it is unknown or already ended. */
    public Uni<Session> revoke(SqlClient client, UUID id, String reason, Instant now) {
        return client.preparedQuery(REVOKE + RETURNING).execute(Tuple.of(id, utc(now), reason)).map(SessionRepository::first);
    }

    /** Ends one of the owner's sessions; null when the owner has no such session still open. */
    public Uni<Session> revoke(SqlClient client, Owner owner, UUID id, String reason, Instant now) {
        return client.preparedQuery(REVOKE + " and user_id = $4 and tenant_id = $5" + RETURNING)
                .execute(Tuple.of(id, utc(now), reason, owner.userId(), owner.tenantId())).map(SessionRepository::first);
    }

    /** Ends every open session of a user except {@code keep} (may be null); the sessions it ended. */
    public Uni<List<Session>> revokeAll(SqlClient client, UUID userId, UUID keep, String reason, Instant now) {
        return client.preparedQuery("update sessions set revoked_at = $3, revoke_reason = $4"
                        + " where user_id = $1 and revoked_at is null and ($2::uuid is null or id <> $2)" + RETURNING)
                .execute(Tuple.of(userId, keep, utc(now), reason)).map(SessionRepository::sessions);
    }

    private static List<Session> sessions(RowSet<Row> rows) {
        List<Session> sessions = new ArrayList<>();
        rows.forEach(row -> sessions.add(Session.from(row)));
        return sessions;
    }

    private static Session first(RowSet<Row> rows) {
        return rows.size() == 0 ? null : Session.from(rows.iterator().next());
    }

    private static OffsetDateTime utc(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }
}
