package io.tollgate.notification.webhooks;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** An endpoint's row (without its secrets); {@link #from} is the one mapping. A null user is the tenant's endpoint. */
public record WebhookEndpoint(UUID id, UUID userId, String url, String description, List<String> events, boolean active,
                              String disabledReason, int consecutiveFailures, Instant failingSince, Instant lastAttemptAt,
                              Integer lastStatusCode, Instant previousSecretUntil, Instant createdAt, Instant updatedAt) {

    static final String COLUMNS = """
            id, user_id, url, description, events, active, disabled_reason, consecutive_failures, failing_since,
            last_attempt_at, last_status_code, previous_secret_until, created_at, updated_at""";

    public String scope() {
        return userId == null ? "tenant" : "user";
    }

    static WebhookEndpoint from(Row r) {
        return new WebhookEndpoint(r.getUUID("id"), r.getUUID("user_id"), r.getString("url"), r.getString("description"),
                Arrays.asList(r.getArrayOfStrings("events")), r.getBoolean("active"), r.getString("disabled_reason"),
                r.getInteger("consecutive_failures"), instant(r, "failing_since"), instant(r, "last_attempt_at"),
                r.getInteger("last_status_code"), instant(r, "previous_secret_until"), instant(r, "created_at"),
                instant(r, "updated_at"));
    }

    static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
