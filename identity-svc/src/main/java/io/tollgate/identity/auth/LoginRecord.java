package io.tollgate.identity.auth;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.util.UUID;

/** One sign-in attempt, successful or not; {@link #from} is the one mapping of its row. */
public record LoginRecord(long id, UUID tenantId, UUID userId, String email, boolean success, String errorCode,
                          String ipAddress, String userAgent, Instant createdAt) {

    static final String COLUMNS = "id, tenant_id, user_id, email, success, error_code, ip_address, user_agent, created_at";

    static LoginRecord from(Row row) {
        return new LoginRecord(row.getLong("id"), row.getUUID("tenant_id"), row.getUUID("user_id"), row.getString("email"),
                row.getBoolean("success"), row.getString("error_code"), row.getString("ip_address"), row.getString("user_agent"),
                row.getOffsetDateTime("created_at").toInstant());
    }
}
