package io.tollgate.proxy.devices;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.paging.PageRequest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/** The {@code servers}, {@code devices}, {@code cities} and {@code carriers} tables. */
@ApplicationScoped
public class DeviceRepository {

    /** What a device is and where, as an administrator or a device agent states it. */
    public record DeviceFields(UUID serverId, String type, String name, String imei, String status, String countryCode, UUID cityId,
                               UUID carrierId, boolean isPrivate, Integer maxPorts) {
    }

    /** What a device agent reports about itself. */
    public record Report(boolean online, String publicIp, Integer tunnelPort, String agentUrl) {
    }

    public record Slice<T>(List<T> rows, long total) {
    }

    private static final String INSERT_SERVER = """
            insert into servers (id, name, ip, http_port_start, http_port_end, socks_port_start, socks_port_end, default_max_conn,
                                 default_conn_lim, soft_max_ports_per_device, max_ports_per_device, status)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            on conflict (name) do nothing
            returning\s""" + Server.COLUMNS;
    private static final String UPDATE_SERVER = """
            update servers set ip = $2, http_port_start = $3, http_port_end = $4, socks_port_start = $5, socks_port_end = $6,
                   default_max_conn = $7, default_conn_lim = $8, soft_max_ports_per_device = $9, max_ports_per_device = $10,
                   status = $11, updated_at = now()
            where id = $1
            returning\s""" + Server.COLUMNS;
    private static final String CITY = """
            with made as (insert into cities (id, country_code, name) values ($1, $2, $3) on conflict (country_code, name) do nothing
                          returning id)
            select id from made union all select id from cities where country_code = $2 and name = $3 limit 1""";
    private static final String CARRIER = """
            with made as (insert into carriers (id, country_code, name, brand, mcc, mnc) values ($1, $2, $3, $4, $5, $6)
                          on conflict (country_code, name) do nothing returning id)
            select id from made union all select id from carriers where country_code = $2 and name = $3 limit 1""";
    private static final String INSERT_DEVICE = """
            insert into devices (id, server_id, type, name, imei, status, country_code, city_id, carrier_id, is_private, max_ports)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            on conflict (imei) do nothing""";
    private static final String UPDATE_DEVICE = """
            update devices set type = $2, name = $3, status = $4, country_code = $5, city_id = $6, carrier_id = $7, is_private = $8,
                   max_ports = $9, updated_at = now()
            where id = $1""";
    private static final String REGISTER = """
            insert into devices (id, server_id, type, name, imei, status, country_code, city_id, carrier_id, is_private, max_ports,
                                 online, public_ip, tunnel_port, agent_url, online_since, last_heartbeat_at, last_checked_at)
            values ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9, $10, true, $11, $12, $13, now(), now(), now())
            on conflict (imei) do update set type = excluded.type, name = excluded.name, country_code = excluded.country_code,
                   city_id = excluded.city_id, carrier_id = excluded.carrier_id, is_private = excluded.is_private,
                   max_ports = excluded.max_ports, online = true, public_ip = excluded.public_ip, tunnel_port = excluded.tunnel_port,
                   agent_url = excluded.agent_url, online_since = case when devices.online then devices.online_since else now() end,
                   offline_since = null, last_heartbeat_at = now(), last_checked_at = now(), updated_at = now()
            returning id""";
    private static final String HEARTBEAT = """
            update devices set online = $2, public_ip = coalesce($3, public_ip), tunnel_port = coalesce($4, tunnel_port),
                   agent_url = coalesce($5, agent_url),
                   online_since = case when not $2 then null when online then online_since else now() end,
                   offline_since = case when $2 then null when online then now() else coalesce(offline_since, now()) end,
                   last_heartbeat_at = now(), last_checked_at = now(), updated_at = now()
            where imei = $1
            returning id""";

    private final Pool pool;

    public DeviceRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    // servers

    /** A new server, or empty when the name is taken. */
    public Uni<Optional<Server>> insertServer(Server s) {
        return pool.preparedQuery(INSERT_SERVER).execute(Tuple.from(new Object[] {s.id(), s.name(), s.ip(), s.httpPortStart(),
                        s.httpPortEnd(), s.socksPortStart(), s.socksPortEnd(), s.defaultMaxConn(), s.defaultConnLim(),
                        s.softMaxPortsPerDevice(), s.maxPortsPerDevice(), s.status()}))
                .map(rows -> first(rows, Server::from));
    }

    public Uni<Optional<Server>> updateServer(Server s) {
        return pool.preparedQuery(UPDATE_SERVER).execute(Tuple.from(new Object[] {s.id(), s.ip(), s.httpPortStart(), s.httpPortEnd(),
                        s.socksPortStart(), s.socksPortEnd(), s.defaultMaxConn(), s.defaultConnLim(), s.softMaxPortsPerDevice(),
                        s.maxPortsPerDevice(), s.status()}))
                .map(rows -> first(rows, Server::from));
    }

    public Uni<Optional<Server>> server(UUID id) {
        return pool.preparedQuery("select " + Server.COLUMNS + " from servers where id = $1").execute(Tuple.of(id))
                .map(rows -> first(rows, Server::from));
    }

    public Uni<Optional<Server>> serverNamed(String name) {
        return pool.preparedQuery("select " + Server.COLUMNS + " from servers where name = $1").execute(Tuple.of(name))
                .map(rows -> first(rows, Server::from));
    }

    public Uni<Slice<Server>> servers(PageRequest page) {
        return pool.query("select count(*) from servers").execute().map(DeviceRepository::count)
                .chain(total -> pool.preparedQuery("select " + Server.COLUMNS + " from servers order by name limit $1 offset $2")
                        .execute(Tuple.of(page.size(), page.offset())).map(rows -> new Slice<>(all(rows, Server::from), total)));
    }

    /** Deletes a server that carries no devices; false when it does (or does not exist). */
    public Uni<Boolean> deleteServer(UUID id) {
        return pool.preparedQuery("delete from servers s where id = $1 and not exists (select 1 from devices d where d.server_id = s.id)")
                .execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    // locations

    public Uni<Boolean> countryExists(String code) {
        return pool.preparedQuery("select 1 from countries where code = $1").execute(Tuple.of(code)).map(rows -> rows.size() == 1);
    }

    public Uni<UUID> city(SqlClient c, String countryCode, String name) {
        return c.preparedQuery(CITY).execute(Tuple.of(Ids.next(), countryCode, name)).map(rows -> rows.iterator().next().getUUID(0));
    }

    public Uni<UUID> carrier(SqlClient c, String countryCode, String name, String brand, String mcc, String mnc) {
        return c.preparedQuery(CARRIER).execute(Tuple.from(new Object[] {Ids.next(), countryCode, name, brand, mcc, mnc}))
                .map(rows -> rows.iterator().next().getUUID(0));
    }

    // devices

    /** A new device; false when its IMEI is known already. */
    public Uni<Boolean> insertDevice(SqlClient c, UUID id, DeviceFields f) {
        return c.preparedQuery(INSERT_DEVICE).execute(Tuple.from(new Object[] {id, f.serverId(), f.type(), f.name(), f.imei(), f.status(),
                        f.countryCode(), f.cityId(), f.carrierId(), f.isPrivate(), f.maxPorts()}))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<Void> updateDevice(SqlClient c, UUID id, DeviceFields f) {
        return c.preparedQuery(UPDATE_DEVICE).execute(Tuple.from(new Object[] {id, f.type(), f.name(), f.status(), f.countryCode(),
                f.cityId(), f.carrierId(), f.isPrivate(), f.maxPorts()})).replaceWithVoid();
    }

    public Uni<Optional<Device>> device(UUID id) {
        return device(pool, id);
    }

    public Uni<Optional<Device>> device(SqlClient c, UUID id) {
        return c.preparedQuery("select " + Device.COLUMNS + Device.FROM + " where d.id = $1").execute(Tuple.of(id))
                .map(rows -> first(rows, Device::from));
    }

    public Uni<Optional<Device>> deviceByImei(String imei) {
        return pool.preparedQuery("select " + Device.COLUMNS + Device.FROM + " where d.imei = $1").execute(Tuple.of(imei))
                .map(rows -> first(rows, Device::from));
    }

    public Uni<Slice<Device>> devices(String countryCode, String status, Boolean online, PageRequest page) {
        String where = " where ($1::text is null or d.country_code = $1) and ($2::text is null or d.status = $2)"
                + " and ($3::boolean is null or d.online = $3)";
        Tuple filters = Tuple.of(countryCode, status, online);
        return pool.preparedQuery("select count(*) from devices d" + where).execute(filters).map(DeviceRepository::count)
                .chain(total -> pool.preparedQuery("select " + Device.COLUMNS + Device.FROM + where
                                + " order by d.country_code, d.name, d.id limit $4 offset $5")
                        .execute(Tuple.from(new Object[] {countryCode, status, online, page.size(), page.offset()}))
                        .map(rows -> new Slice<>(all(rows, Device::from), total)));
    }

    /** Deletes a device that carries no live port; false otherwise. */
    public Uni<Boolean> deleteDevice(UUID id) {
        return pool.preparedQuery("delete from devices d where id = $1 and live_ports = 0"
                        + " and not exists (select 1 from ports p where p.device_id = d.id)")
                .execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    /** A device agent's registration: the device as it reports itself, online now. */
    public Uni<UUID> register(SqlClient c, DeviceFields f, Report report) {
        return c.preparedQuery(REGISTER).execute(Tuple.from(new Object[] {Ids.next(), f.serverId(), f.type(), f.name(), f.imei(),
                        f.countryCode(), f.cityId(), f.carrierId(), f.isPrivate(), f.maxPorts(), report.publicIp(), report.tunnelPort(),
                        report.agentUrl()}))
                .map(rows -> rows.iterator().next().getUUID(0));
    }

    /** A heartbeat; empty when the IMEI is unknown (the agent registers again). */
    public Uni<Optional<UUID>> heartbeat(String imei, Report report) {
        return pool.preparedQuery(HEARTBEAT).execute(Tuple.of(imei, report.online(), report.publicIp(), report.tunnelPort(),
                        report.agentUrl()))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getUUID(0)));
    }

    /** Marks devices whose agent has not been heard from for {@code staleAfter} offline; how many. */
    public Uni<Integer> markSilentOffline(Duration staleAfter) {
        return pool.preparedQuery("update devices set online = false, online_since = null, offline_since = now(), updated_at = now()"
                        + " where online and last_heartbeat_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) staleAfter.toMillis() / 1000)).map(RowSet::rowCount);
    }

    static long count(RowSet<Row> rows) {
        return rows.iterator().next().getLong(0);
    }

    static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> map) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(map.apply(rows.iterator().next()));
    }

    static <T> List<T> all(RowSet<Row> rows, Function<Row, T> map) {
        List<T> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(map.apply(r)));
        return out;
    }
}
