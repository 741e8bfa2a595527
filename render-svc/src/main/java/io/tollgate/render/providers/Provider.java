package io.tollgate.render.providers;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Where a model's work is done: {@code local} (this machine's renderers) or a remote {@code fal}
 * queue at {@code baseUrl}. Its {@code name} is what models name as their provider; its API key
 * is kept sealed and is never shown again.
 */
public record Provider(UUID id, String name, String type, String displayName, String baseUrl, String apiKeySealed, boolean enabled,
                       int priority, Instant createdAt, Instant updatedAt) {

    public static final String LOCAL = "local";
    public static final String FAL = "fal";

    static final String COLUMNS = "id, name, type, display_name, base_url, api_key_sealed, enabled, priority, created_at, updated_at";

    static Provider from(Row r) {
        return new Provider(r.getUUID("id"), r.getString("name"), r.getString("type"), r.getString("display_name"),
                r.getString("base_url"), r.getString("api_key_sealed"), r.getBoolean("enabled"), r.getInteger("priority"),
                at(r.getOffsetDateTime("created_at")), at(r.getOffsetDateTime("updated_at")));
    }

    private static Instant at(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
