package io.tollgate.notification.webhooks;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.util.UUID;

/** One queued send of a message to an endpoint; {@link #from} is the one mapping of its row. */
public record Delivery(UUID id, UUID messageId, String eventType, String status, int attempts, Instant nextAttemptAt,
                       Integer lastStatusCode, String lastError, Instant createdAt, Instant updatedAt) {

    static Delivery from(Row r) {
        return new Delivery(r.getUUID("id"), r.getUUID("message_id"), r.getString("event_type"), r.getString("status"),
                r.getInteger("attempts"), WebhookEndpoint.instant(r, "next_attempt_at"), r.getInteger("last_status_code"),
                r.getString("last_error"), WebhookEndpoint.instant(r, "created_at"), WebhookEndpoint.instant(r, "updated_at"));
    }

    /** One attempt of a delivery, as recorded. */
    public record Attempt(int attempt, Integer statusCode, String responseBody, int durationMs, String error, Instant attemptedAt) {
        static Attempt from(Row a) {
            return new Attempt(a.getInteger("attempt"), a.getInteger("status_code"), a.getString("response_body"),
                    a.getInteger("duration_ms"), a.getString("error"), WebhookEndpoint.instant(a, "attempted_at"));
        }
    }
}
