package io.tollgate.render.providers;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Where a model's work is done: {@code local} (this machine's renderers) or a remote {@code fal}
 * queue at {@code baseUrl}. Its {@code name} is what models name as their provider; its API key
 * is kept sealed and is never shown again. A remote one with {@code callbackJwksUrl} signs its
 * completion callbacks with the Ed25519 keys published there; one with {@code catalogUrl} lists its
 * models (with input schemas and prices) there, for an administrator's catalogue sync.
 */
public record Provider(UUID id, String name, String type, String displayName, String baseUrl, String apiKeySealed, boolean enabled,
                       int priority, String callbackJwksUrl, String catalogUrl, Instant createdAt, Instant updatedAt) {

    public static final String LOCAL = "local";
    public static final String FAL = "fal";

    static final String COLUMNS = "id, name, type, display_name, base_url, api_key_sealed, enabled, priority, callback_jwks_url, catalog_url,"
            + " created_at, updated_at";

    static Provider from(Row r) {
        return new Provider(r.getUUID("id"), r.getString("name"), r.getString("type"), r.getString("display_name"),
                r.getString("base_url"), r.getString("api_key_sealed"), r.getBoolean("enabled"), r.getInteger("priority"),
                r.getString("callback_jwks_url"), r.getString("catalog_url"), at(r.getOffsetDateTime("created_at")), at(r.getOffsetDateTime("updated_at")));
    }

    private static Instant at(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
