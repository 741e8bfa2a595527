package io.tollgate.identity.sessions;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A signed-in device of a user; {@link #from} is the one mapping of its row. */
public record Session(UUID id, UUID userId, UUID tenantId, String deviceName, String userAgent, String ipAddress,
                      List<String> amr, Instant createdAt, Instant lastUsedAt, Instant expiresAt, Instant revokedAt,
                      String revokeReason) {

    static final String COLUMNS = "id, user_id, tenant_id, device_name, user_agent, ip_address, amr, created_at, last_used_at,"
            + " expires_at, revoked_at, revoke_reason";

    static Session from(Row row) {
        return new Session(row.getUUID("id"), row.getUUID("user_id"), row.getUUID("tenant_id"), row.getString("device_name"),
                row.getString("user_agent"), row.getString("ip_address"), List.of(row.getArrayOfStrings("amr")),
                instant(row.getOffsetDateTime("created_at")), instant(row.getOffsetDateTime("last_used_at")),
                instant(row.getOffsetDateTime("expires_at")), instant(row.getOffsetDateTime("revoked_at")),
                row.getString("revoke_reason"));
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
