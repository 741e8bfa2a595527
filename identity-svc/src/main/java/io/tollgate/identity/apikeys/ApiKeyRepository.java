package io.tollgate.identity.apikeys;

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

/** The {@code api_keys} table. Every read and change of a user's keys is scoped by its {@link Owner}. */
@ApplicationScoped
public class ApiKeyRepository {

    /** A key with what the exchange needs to know of its owner. */
    public record KeyWithOwner(ApiKey key, UUID ownerTenantId, String ownerRole, boolean ownerEmailVerified, boolean ownerBanned) {
        static KeyWithOwner from(Row row) {
            return new KeyWithOwner(ApiKey.from(row), row.getUUID("owner_tenant_id"), row.getString("owner_role"),
                    row.getBoolean("owner_email_verified"), row.getBoolean("owner_banned"));
        }
    }

    /** One page of an owner's keys, with the count of all of them. */
    public record Slice(List<ApiKey> rows, long total) {
    }

    private static final String SELECT = "select " + ApiKey.COLUMNS + " from api_keys";
    private static final String OWNED = " where user_id = $1 and tenant_id = $2";
    private static final String RETURNING = " returning " + ApiKey.COLUMNS;

    // The gateway's exchange in one statement: the key by its digest and its owner's standing at $2
    // (an owner that is gone counts as banned).
    private static final String EXCHANGE = """
            select k.*, u.tenant_id as owner_tenant_id, u.role as owner_role,
                   u.email_verified_at is not null as owner_email_verified,
                   (u.id is null or (u.banned_at is not null and (u.unblock_at is null or u.unblock_at > $2))) as owner_banned
              from api_keys k left join users u on u.id = k.user_id
             where k.secret_hash = $1""";

    // Null changes keep the column as it is.
    private static final String UPDATE = """
            update api_keys set name = coalesce($4, name), scopes = coalesce($5, scopes), allowed_ips = coalesce($6, allowed_ips),
                   rate_limit_rpm = coalesce($7, rate_limit_rpm), expires_at = coalesce($8, expires_at), updated_at = $9
             where id = $3 and user_id = $1 and tenant_id = $2""" + RETURNING;

    private final Pool pool;

    public ApiKeyRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Long> countActive(SqlClient client, Owner owner) {
        return client.preparedQuery("select count(*) from api_keys" + OWNED + " and revoked_at is null")
                .execute(Tuple.of(owner.userId(), owner.tenantId())).map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<Void> insert(SqlClient client, ApiKey k) {
        return client.preparedQuery("insert into api_keys (" + ApiKey.COLUMNS + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
                        + " $10, $11, $12, $13, $14, $15, $16, $17)")
                .execute(Tuple.from(new Object[] {k.id(), k.userId(), k.tenantId(), k.name(), k.environment(), k.keyPrefix(),
                        k.last4(), k.secretHash(), k.scopes().toArray(String[]::new), k.allowedIps().toArray(String[]::new),
                        k.rateLimitRpm(), utc(k.expiresAt()), utc(k.lastUsedAt()), k.usageCount(), utc(k.revokedAt()),
                        utc(k.createdAt()), utc(k.updatedAt())}))
                .replaceWithVoid();
    }

    /** The owner's keys, revoked ones too, newest first. */
    public Uni<Slice> page(Owner owner, PageRequest page) {
        return pool.preparedQuery("select count(*) from api_keys" + OWNED).execute(Tuple.of(owner.userId(), owner.tenantId()))
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> pool.preparedQuery(SELECT + OWNED + " order by created_at desc, id limit $3 offset $4")
                        .execute(Tuple.of(owner.userId(), owner.tenantId(), page.size(), page.offset()))
                        .map(rows -> new Slice(keys(rows), total)));
    }

    /** Every key of the owner, newest first (for an administrator). */
    public Uni<List<ApiKey>> all(Owner owner) {
        return pool.preparedQuery(SELECT + OWNED + " order by created_at desc, id").execute(Tuple.of(owner.userId(), owner.tenantId()))
                .map(ApiKeyRepository::keys);
    }

    /** One of the owner's keys, or null. */
    public Uni<ApiKey> find(Owner owner, UUID id) {
        return pool.preparedQuery(SELECT + OWNED + " and id = $3").execute(Tuple.of(owner.userId(), owner.tenantId(), id))
                .map(ApiKeyRepository::first);
    }

    /** One of the owner's keys, locked for the rest of {@code client}'s transaction; or null. */
    public Uni<ApiKey> lock(SqlClient client, Owner owner, UUID id) {
        return client.preparedQuery(SELECT + OWNED + " and id = $3 for update").execute(Tuple.of(owner.userId(), owner.tenantId(), id))
                .map(ApiKeyRepository::first);
    }

    /** Applies the non-null changes to one of the owner's keys; null when the owner has no such key. */
    public Uni<ApiKey> update(SqlClient client, Owner owner, UUID id, String name, List<String> scopes, List<String> allowedIps,
                              Integer rateLimitRpm, Instant expiresAt, Instant now) {
        return client.preparedQuery(UPDATE)
                .execute(Tuple.from(new Object[] {owner.userId(), owner.tenantId(), id, name, array(scopes), array(allowedIps),
                        rateLimitRpm, utc(expiresAt), utc(now)}))
                .map(ApiKeyRepository::first);
    }

    /** A new secret for a key; the old digest no longer matches anything. */
    public Uni<ApiKey> replaceSecret(SqlClient client, UUID id, String keyPrefix, String last4, String secretHash, Instant now) {
        return client.preparedQuery("update api_keys set key_prefix = $2, last4 = $3, secret_hash = $4, updated_at = $5 where id = $1"
                        + RETURNING)
                .execute(Tuple.of(id, keyPrefix, last4, secretHash, utc(now))).map(ApiKeyRepository::first);
    }

    public Uni<ApiKey> revoke(SqlClient client, UUID id, Instant now) {
        return client.preparedQuery("update api_keys set revoked_at = $2, updated_at = $2 where id = $1" + RETURNING)
                .execute(Tuple.of(id, utc(now))).map(ApiKeyRepository::first);
    }

    /** Revokes every active key of the owner; the keys it revoked. */
    public Uni<List<ApiKey>> revokeAll(SqlClient client, Owner owner, Instant now) {
        return client.preparedQuery("update api_keys set revoked_at = $3, updated_at = $3" + OWNED + " and revoked_at is null"
                        + RETURNING)
                .execute(Tuple.of(owner.userId(), owner.tenantId(), utc(now))).map(ApiKeyRepository::keys);
    }

    public Uni<Void> delete(SqlClient client, UUID id) {
        return client.preparedQuery("delete from api_keys where id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }

    /** The key with this digest and its owner's standing at {@code now}, or null. */
    public Uni<KeyWithOwner> forExchange(String secretHash, Instant now) {
        return pool.preparedQuery(EXCHANGE).execute(Tuple.of(secretHash, utc(now)))
                .map(rows -> rows.size() == 0 ? null : KeyWithOwner.from(rows.iterator().next()));
    }

    private static String[] array(List<String> values) {
        return values == null ? null : values.toArray(String[]::new);
    }

    private static List<ApiKey> keys(RowSet<Row> rows) {
        List<ApiKey> keys = new ArrayList<>();
        rows.forEach(row -> keys.add(ApiKey.from(row)));
        return keys;
    }

    private static ApiKey first(RowSet<Row> rows) {
        return rows.size() == 0 ? null : ApiKey.from(rows.iterator().next());
    }

    private static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }
}
