package io.tollgate.render.jobs;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A render job's row; {@link #from} is the one mapping. Its id is the API's {@code request_id}. */
public record Job(UUID id, UUID userId, UUID tenantId, UUID apiKeyId, String modelId, JsonObject input, String status, int priority,
                  UUID holdId, String currency, long estimatedCostMinor, Long costMinor, BigDecimal quantity, int attempts,
                  int maxAttempts, UUID leaseId, Instant lockedUntil, JsonObject progress, JsonObject output,
                  String error, String idempotencyKey, String requestFingerprint, Instant createdAt, Instant startedAt,
                  Instant completedAt, Instant failedAt, Instant cancelledAt, Instant updatedAt, String webhookUrl,
                  List<String> webhookEvents) {

    public static final String IN_QUEUE = "IN_QUEUE";
    public static final String IN_PROGRESS = "IN_PROGRESS";
    public static final String COMPLETED = "COMPLETED";
    public static final String FAILED = "FAILED";
    public static final String CANCELLED = "CANCELLED";

    static final String COLUMNS = """
            id, user_id, tenant_id, api_key_id, model_id, input, status, priority, hold_id, currency, estimated_cost_minor,
            cost_minor, quantity, attempts, max_attempts, lease_id, locked_until, progress, output, error,
            idempotency_key, request_fingerprint, created_at, started_at, completed_at, failed_at, cancelled_at, updated_at,
            webhook_url, webhook_events""";

    /** Whether the request's own webhook asked for {@code event}. */
    public boolean wantsWebhook(String event) {
        return webhookUrl != null && webhookEvents.contains(event);
    }

    public boolean terminal() {
        return COMPLETED.equals(status) || FAILED.equals(status) || CANCELLED.equals(status);
    }

    static Job from(Row r) {
        return new Job(r.getUUID("id"), r.getUUID("user_id"), r.getUUID("tenant_id"), r.getUUID("api_key_id"), r.getString("model_id"),
                (JsonObject) r.getValue("input"), r.getString("status"), r.getInteger("priority"), r.getUUID("hold_id"),
                r.getString("currency").trim(), r.getLong("estimated_cost_minor"), r.getLong("cost_minor"), r.getBigDecimal("quantity"),
                r.getInteger("attempts"), r.getInteger("max_attempts"), r.getUUID("lease_id"), at(r, "locked_until"),
                (JsonObject) r.getValue("progress"), (JsonObject) r.getValue("output"),
                r.getString("error"), r.getString("idempotency_key"), r.getString("request_fingerprint"), at(r, "created_at"),
                at(r, "started_at"), at(r, "completed_at"), at(r, "failed_at"), at(r, "cancelled_at"), at(r, "updated_at"),
                r.getString("webhook_url"), r.getArrayOfStrings("webhook_events") == null ? List.of()
                        : List.of(r.getArrayOfStrings("webhook_events")));
    }

    static Instant at(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    /** One line of a job's log. */
    public record Log(Instant timestamp, String level, String message) {
        static Log from(Row r) {
            return new Log(at(r, "logged_at"), r.getString("level"), r.getString("message"));
        }
    }
}
