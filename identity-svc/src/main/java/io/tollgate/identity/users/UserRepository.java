package io.tollgate.identity.users;

import io.smallrye.mutiny.Uni;
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
 * The {@code users} table. A user's own profile is read and changed through its {@link Owner}; an
 * administrator's lookups take the tenant they are limited to ({@code null} for a platform admin),
 * so a user of another tenant simply finds nothing.
 */
@ApplicationScoped
public class UserRepository {

    private static final String SELECT = "select " + User.COLUMNS + " from users";
    private static final String OWNED = " where id = $1 and tenant_id = $2";
    // $2 is the tenant an administrator is limited to, null for a platform administrator.
    private static final String VISIBLE = " where id = $1 and ($2::uuid is null or tenant_id = $2)";
    private static final String RETURNING = " returning " + User.COLUMNS;

    // $1 tenant scope, $2 e-mail or name pattern, $3 role, $4 banned or not; each null for "any".
    private static final String SEARCH = """
             from users
            where ($1::uuid is null or tenant_id = $1)
              and ($2::text is null or email_normalized like $2 or lower(full_name) like $2)
              and ($3::text is null or role = $3)
              and ($4::boolean is null or (banned_at is not null) = $4)""";

    private final Pool pool;

    public UserRepository(Pool pool) {
        this.pool = pool;
    }

    /** One page of a search, with the count of all matches. */
    public record Slice(List<User> rows, long total) {
    }

    public Uni<User> byId(SqlClient client, UUID id) {
        return client.preparedQuery(SELECT + " where id = $1").execute(Tuple.of(id)).map(UserRepository::first);
    }

    public Uni<User> byOwner(Owner owner) {
        return pool.preparedQuery(SELECT + OWNED).execute(Tuple.of(owner.userId(), owner.tenantId())).map(UserRepository::first);
    }

    public Uni<User> byEmail(SqlClient client, UUID tenantId, String email) {
        return client.preparedQuery(SELECT + " where tenant_id = $1 and email_normalized = $2")
                .execute(Tuple.of(tenantId, User.normalize(email))).map(UserRepository::first);
    }

    public Uni<Void> insert(SqlClient client, User u) {
        return client.preparedQuery("insert into users (" + User.COLUMNS + ")"
                        + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
                .execute(Tuple.from(new Object[] {u.id(), u.tenantId(), u.email(), u.emailNormalized(), u.passwordHash(),
                        u.fullName(), u.role(), u.locale(), utc(u.emailVerifiedAt()), u.mfaEnabled(), utc(u.bannedAt()),
                        u.banReason(), utc(u.unblockAt()), utc(u.createdAt()), utc(u.updatedAt())}))
                .replaceWithVoid();
    }

    public Uni<Void> setPassword(SqlClient client, UUID id, String hash, Instant now) {
        return client.preparedQuery("update users set password_hash = $2, updated_at = $3 where id = $1")
                .execute(Tuple.of(id, hash, utc(now))).replaceWithVoid();
    }

    /** Marks the address verified; null when it already was (or there is no such user). */
    public Uni<User> markVerified(SqlClient client, UUID id, Instant now) {
        return client.preparedQuery("update users set email_verified_at = $2, updated_at = $2 where id = $1"
                        + " and email_verified_at is null" + RETURNING)
                .execute(Tuple.of(id, utc(now))).map(UserRepository::first);
    }

    /** Null fields stay as they are; null when the owner's account is gone. */
    public Uni<User> updateProfile(Owner owner, String fullName, String locale, Instant now) {
        return pool.preparedQuery("update users set full_name = coalesce($3, full_name), locale = coalesce($4, locale),"
                        + " updated_at = $5" + OWNED + RETURNING)
                .execute(Tuple.of(owner.userId(), owner.tenantId(), fullName, locale, utc(now))).map(UserRepository::first);
    }

    public Uni<User> setMfaEnabled(SqlClient client, Owner owner, boolean enabled) {
        return client.preparedQuery("update users set mfa_enabled = $3" + OWNED + RETURNING)
                .execute(Tuple.of(owner.userId(), owner.tenantId(), enabled)).map(UserRepository::first);
    }

    /**
     * Users whose address or name contains {@code text} (case-insensitive, taken literally), newest
     * first; every filter may be null.
     */
    public Uni<Slice> search(UUID tenantScope, String text, String role, Boolean banned, PageRequest page) {
        String pattern = text == null ? null : "%" + text.replace("%", "\\%").replace("_", "\\_") + "%";
        Tuple filters = Tuple.of(tenantScope, pattern, role, banned);
        return pool.preparedQuery("select count(*)" + SEARCH).execute(filters).map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery("select " + User.COLUMNS + SEARCH + " order by created_at desc, id limit $5 offset $6")
                        .execute(Tuple.of(tenantScope, pattern, role, banned, page.size(), page.offset()))
                        .map(rows -> {
                            List<User> users = new ArrayList<>();
                            rows.forEach(row -> users.add(User.from(row)));
                            return new Slice(users, total);
                        }));
    }

    public Uni<User> visible(SqlClient client, UUID id, UUID tenantScope) {
        return client.preparedQuery(SELECT + VISIBLE).execute(Tuple.of(id, tenantScope)).map(UserRepository::first);
    }

    public Uni<User> setRole(UUID id, UUID tenantScope, String role, Instant now) {
        return pool.preparedQuery("update users set role = $3, updated_at = $4" + VISIBLE + RETURNING)
                .execute(Tuple.of(id, tenantScope, role, utc(now))).map(UserRepository::first);
    }

    public Uni<User> ban(SqlClient client, UUID id, UUID tenantScope, String reason, Instant unblockAt, Instant now) {
        return client.preparedQuery("update users set banned_at = $5, ban_reason = $3, unblock_at = $4, updated_at = $5"
                        + VISIBLE + RETURNING)
                .execute(Tuple.of(id, tenantScope, reason, utc(unblockAt), utc(now))).map(UserRepository::first);
    }

    /** Lifts a ban; null when the user is not banned (or not visible). */
    public Uni<User> unban(SqlClient client, UUID id, UUID tenantScope, Instant now) {
        return client.preparedQuery("update users set banned_at = null, ban_reason = null, unblock_at = null, updated_at = $3"
                        + VISIBLE + " and banned_at is not null" + RETURNING)
                .execute(Tuple.of(id, tenantScope, utc(now))).map(UserRepository::first);
    }

    private static User first(RowSet<Row> rows) {
        return rows.size() == 0 ? null : User.from(rows.iterator().next());
    }

    private static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }
}
