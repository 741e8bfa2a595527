package io.tollgate.proxy.devices;

import io.vertx.mutiny.sqlclient.Row;

import java.time.Instant;
import java.util.UUID;

/** A data-plane node: its address, the port numbers it opens and what each of its devices may carry. */
public record Server(UUID id, String name, String ip, int httpPortStart, int httpPortEnd, int socksPortStart, int socksPortEnd,
                     int defaultMaxConn, int defaultConnLim, int softMaxPortsPerDevice, int maxPortsPerDevice, String status,
                     Instant createdAt, Instant updatedAt) {

    static final String COLUMNS = """
            id, name, ip, http_port_start, http_port_end, socks_port_start, socks_port_end, default_max_conn, default_conn_lim,
            soft_max_ports_per_device, max_ports_per_device, status, created_at, updated_at""";

    static Server from(Row r) {
        return new Server(r.getUUID("id"), r.getString("name"), r.getString("ip"), r.getInteger("http_port_start"),
                r.getInteger("http_port_end"), r.getInteger("socks_port_start"), r.getInteger("socks_port_end"),
                r.getInteger("default_max_conn"), r.getInteger("default_conn_lim"), r.getInteger("soft_max_ports_per_device"),
                r.getInteger("max_ports_per_device"), r.getString("status"), r.getOffsetDateTime("created_at").toInstant(),
                r.getOffsetDateTime("updated_at").toInstant());
    }
}
