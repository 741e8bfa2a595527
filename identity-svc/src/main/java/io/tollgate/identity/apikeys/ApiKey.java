package io.tollgate.identity.apikeys;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A user's API key (its secret only as a digest); {@link #from} is the one mapping of its row. */
public record ApiKey(UUID id, UUID userId, UUID tenantId, String name, String environment, String keyPrefix, String last4,
                     String secretHash, List<String> scopes, List<String> allowedIps, int rateLimitRpm, Instant expiresAt,
                     Instant lastUsedAt, long usageCount, Instant revokedAt, Instant createdAt, Instant updatedAt) {

    static final String COLUMNS = "id, user_id, tenant_id, name, environment, key_prefix, last4, secret_hash, scopes, allowed_ips,"
            + " rate_limit_rpm, expires_at, last_used_at, usage_count, revoked_at, created_at, updated_at";

    static ApiKey from(Row row) {
        return new ApiKey(row.getUUID("id"), row.getUUID("user_id"), row.getUUID("tenant_id"), row.getString("name"),
                row.getString("environment"), row.getString("key_prefix"), row.getString("last4"), row.getString("secret_hash"),
                List.of(row.getArrayOfStrings("scopes")), List.of(row.getArrayOfStrings("allowed_ips")),
                row.getInteger("rate_limit_rpm"), instant(row.getOffsetDateTime("expires_at")),
                instant(row.getOffsetDateTime("last_used_at")), row.getLong("usage_count"),
                instant(row.getOffsetDateTime("revoked_at")), instant(row.getOffsetDateTime("created_at")),
                instant(row.getOffsetDateTime("updated_at")));
    }

    public boolean active(Instant now) {
        return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
