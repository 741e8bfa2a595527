package io.tollgate.proxy.devices;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A phone or modem: where it is, whether its agent is up, its current public address and its load. */
public record Device(UUID id, UUID serverId, String type, String name, String imei, String status, String countryCode,
                     UUID cityId, String city, UUID carrierId, String carrier, boolean isPrivate, boolean online, String publicIp,
                     Integer tunnelPort, String agentUrl, Integer maxPorts, Instant onlineSince, Instant lastHeartbeatAt,
                     Instant lastCheckedAt, int livePorts, boolean exclusiveTaken, Instant createdAt, Instant updatedAt) {

    /** The columns of {@code devices d} joined to {@code cities c} and {@code carriers k}. */
    public static final String COLUMNS = """
            d.id, d.server_id, d.type, d.name, d.imei, d.status, d.country_code, d.city_id, c.name as city, d.carrier_id,
            k.name as carrier, d.is_private, d.online, d.public_ip, d.tunnel_port, d.agent_url, d.max_ports, d.online_since,
            d.last_heartbeat_at, d.last_checked_at, d.live_ports, d.exclusive_taken, d.created_at, d.updated_at""";
    public static final String FROM = " from devices d left join cities c on c.id = d.city_id left join carriers k on k.id = d.carrier_id";

    public static Device from(Row r) {
        return new Device(r.getUUID("id"), r.getUUID("server_id"), r.getString("type"), r.getString("name"), r.getString("imei"),
                r.getString("status"), r.getString("country_code"), r.getUUID("city_id"), r.getString("city"), r.getUUID("carrier_id"),
                r.getString("carrier"), r.getBoolean("is_private"), r.getBoolean("online"), r.getString("public_ip"),
                r.getInteger("tunnel_port"), r.getString("agent_url"), r.getInteger("max_ports"), at(r, "online_since"),
                at(r, "last_heartbeat_at"), at(r, "last_checked_at"), r.getInteger("live_ports"), r.getBoolean("exclusive_taken"),
                at(r, "created_at"), at(r, "updated_at"));
    }

    static Instant at(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
