package io.tollgate.proxy.ports;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A port's row with what it runs on: its device's current address and state, its server's
 * address, and the device's city and carrier. The password is sealed; {@link Passwords} opens it.
 */
public record Port(UUID id, UUID userId, UUID tenantId, UUID deviceId, UUID serverId, String name, String displayName, int httpPort,
                   int socksPort, String proxyLogin, String proxyPasswordSealed, boolean isPrivate, boolean exclusive,
                   String osFingerprint, String countryCode, UUID cityId, UUID carrierId, String status, Instant expiresAt,
                   String rotationToken, int rotationCount, Instant lastRotatedAt, long usedTrafficBytes, Instant createdAt,
                   Instant updatedAt, String serverIp, String publicIp, boolean deviceOnline, String city, String carrier,
                   Instant lastCheckedAt) {

    public static final String ACTIVE = "active";
    public static final String SUSPENDED = "suspended";
    public static final String EXPIRED = "expired";
    public static final String DELETED = "deleted";

    static final String COLUMNS = """
            p.id, p.user_id, p.tenant_id, p.device_id, p.server_id, p.name, p.display_name, p.http_port, p.socks_port, p.proxy_login,
            p.proxy_password_sealed, p.is_private, p.exclusive, p.os_fingerprint, p.country_code, p.city_id, p.carrier_id, p.status,
            p.expires_at, p.rotation_token, p.rotation_count, p.last_rotated_at, p.used_traffic_bytes, p.created_at, p.updated_at,
            s.ip as server_ip, d.public_ip, d.online as device_online, c.name as city, k.name as carrier, d.last_checked_at""";
    static final String FROM = " from ports p join servers s on s.id = p.server_id join devices d on d.id = p.device_id"
            + " left join cities c on c.id = d.city_id left join carriers k on k.id = d.carrier_id";

    /** Live ports hold a slot and a place on their device. */
    public boolean live() {
        return ACTIVE.equals(status) || SUSPENDED.equals(status);
    }

    static Port from(Row r) {
        return new Port(r.getUUID("id"), r.getUUID("user_id"), r.getUUID("tenant_id"), r.getUUID("device_id"), r.getUUID("server_id"),
                r.getString("name"), r.getString("display_name"), r.getInteger("http_port"), r.getInteger("socks_port"),
                r.getString("proxy_login"), r.getString("proxy_password_sealed"), r.getBoolean("is_private"), r.getBoolean("exclusive"),
                r.getString("os_fingerprint"), r.getString("country_code"), r.getUUID("city_id"), r.getUUID("carrier_id"),
                r.getString("status"), at(r, "expires_at"), r.getString("rotation_token"), r.getInteger("rotation_count"),
                at(r, "last_rotated_at"), r.getLong("used_traffic_bytes"), at(r, "created_at"), at(r, "updated_at"),
                r.getString("server_ip"), r.getString("public_ip"), r.getBoolean("device_online"), r.getString("city"),
                r.getString("carrier"), at(r, "last_checked_at"));
    }

    static Instant at(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
