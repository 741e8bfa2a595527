package io.tollgate.proxy.dataplane;

import io.vertx.mutiny.sqlclient.Row;

import java.util.Objects;
import java.util.UUID;

/**
 * A live port of this node as the data plane serves it: its numbers and credentials, the device it
 * leaves through (the device's address and tunnel), its connection limits, and its owner's traffic
 * cap of the port's kind (billing's latest word plus what had been metered then, 0 while billing
 * has said nothing; versioned by billing's time) with what the data plane has metered so far.
 */
record LivePort(UUID id, UUID userId, UUID tenantId, boolean isPrivate, String status, String suspendedReason, String login,
                String passwordSealed, int httpPort, int socksPort, UUID deviceId, String deviceHost, Integer tunnelPort,
                boolean deviceOnline, int maxConn, int connPerMinute, long trafficCap, long capVersion, long metered) {

    static final String SELECT = """
            select p.id, p.user_id, p.tenant_id, p.is_private, p.status, p.suspended_reason, p.proxy_login, p.proxy_password_sealed,
                   p.http_port, p.socks_port, p.device_id, d.public_ip, d.tunnel_port, d.online and d.status = 'active' as device_online,
                   coalesce(p.max_conn, s.default_max_conn) as max_conn, coalesce(p.conn_lim, s.default_conn_lim) as conn_lim,
                   coalesce(case when p.is_private then coalesce(e.traffic_cap_private, e.traffic_private_bytes + e.metered_private_bytes)
                                 else coalesce(e.traffic_cap_shared, e.traffic_shared_bytes + e.metered_shared_bytes) end, 0) as traffic_cap,
                   coalesce((extract(epoch from e.as_of) * 1000)::bigint, 0) as cap_version,
                   coalesce(case when p.is_private then e.metered_private_bytes else e.metered_shared_bytes end, 0) as metered
            from ports p join servers s on s.id = p.server_id join devices d on d.id = p.device_id
                 left join entitlements e on e.user_id = p.user_id
            where s.name = $1 and p.status in ('active', 'suspended') and p.expires_at > now()""";

    static LivePort from(Row r) {
        return new LivePort(r.getUUID("id"), r.getUUID("user_id"), r.getUUID("tenant_id"), r.getBoolean("is_private"), r.getString("status"),
                r.getString("suspended_reason"), r.getString("proxy_login"), r.getString("proxy_password_sealed"), r.getInteger("http_port"),
                r.getInteger("socks_port"), r.getUUID("device_id"), r.getString("public_ip"), r.getInteger("tunnel_port"),
                r.getBoolean("device_online"), r.getInteger("max_conn"), r.getInteger("conn_lim"), r.getLong("traffic_cap"),
                r.getLong("cap_version"), r.getLong("metered"));
    }

    boolean active() {
        return "active".equals(status);
    }

    /** The exit changed: another device, or the same device on another address (a reset) or tunnel. */
    boolean sameExit(LivePort other) {
        return deviceId.equals(other.deviceId) && Objects.equals(deviceHost, other.deviceHost)
                && Objects.equals(tunnelPort, other.tunnelPort);
    }

    /** The owner's traffic of this port's kind: one budget per user and kind, shared by all their ports. */
    String budgetKey() {
        return userId + ":" + (isPrivate ? "private" : "shared");
    }
}
