package io.tollgate.render.assets;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.util.UUID;

/** A stored file: a job's output or an upload; {@link #from} is the one mapping of its row. */
public record Asset(UUID id, UUID userId, UUID tenantId, UUID jobId, String kind, String contentType, long sizeBytes, String sha256,
                    Integer width, Integer height, Integer durationMs, String storageKey, Instant createdAt, Instant expiresAt) {

    static final String COLUMNS = "id, user_id, tenant_id, job_id, kind, content_type, size_bytes, sha256, width, height,"
            + " duration_ms, storage_key, created_at, expires_at";

    static Asset from(Row r) {
        return new Asset(r.getUUID("id"), r.getUUID("user_id"), r.getUUID("tenant_id"), r.getUUID("job_id"), r.getString("kind"),
                r.getString("content_type"), r.getLong("size_bytes"), r.getString("sha256"), r.getInteger("width"),
                r.getInteger("height"), r.getInteger("duration_ms"), r.getString("storage_key"),
                r.getOffsetDateTime("created_at").toInstant(), r.getOffsetDateTime("expires_at").toInstant());
    }
}
