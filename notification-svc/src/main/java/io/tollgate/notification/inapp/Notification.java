package io.tollgate.notification.inapp;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A message for one user in the console's bell; {@link #from} is the one mapping of its row. */
public record Notification(UUID id, UUID userId, UUID tenantId, String category, String severity, String title,
                           String body, String actionUrl, String actionLabel, String sourceEvent, Instant readAt,
                           Instant createdAt) {

    static final String COLUMNS = "id, user_id, tenant_id, category, severity, title, body, action_url, action_label,"
            + " source_event, read_at, created_at";

    static Notification from(Row row) {
        return new Notification(row.getUUID("id"), row.getUUID("user_id"), row.getUUID("tenant_id"), row.getString("category"),
                row.getString("severity"), row.getString("title"), row.getString("body"), row.getString("action_url"),
                row.getString("action_label"), row.getString("source_event"), instant(row.getOffsetDateTime("read_at")),
                instant(row.getOffsetDateTime("created_at")));
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
