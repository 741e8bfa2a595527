package io.tollgate.proxy.dataplane;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** What the data plane reads (this node's live ports) and writes (metered traffic) in proxy's tables. */
@ApplicationScoped
public class DataPlaneRepository {

    private static final String METERED_PORT = "update ports set used_traffic_bytes = used_traffic_bytes + $2 where id = $1";
    private static final String METERED_USER = """
            insert into entitlements (user_id, tenant_id, metered_shared_bytes, metered_private_bytes) values ($1, $2, $3, $4)
            on conflict (user_id) do update set metered_shared_bytes = entitlements.metered_shared_bytes + excluded.metered_shared_bytes,
                   metered_private_bytes = entitlements.metered_private_bytes + excluded.metered_private_bytes""";

    private final Pool pool;

    public DataPlaneRepository(Pool pool) {
        this.pool = pool;
    }

    Pool pool() {
        return pool;
    }

    /** The live, unexpired ports of the node named {@code node}. */
    Uni<List<LivePort>> livePorts(String node) {
        return pool.preparedQuery(LivePort.SELECT).execute(Tuple.of(node)).map(rows -> {
            List<LivePort> out = new ArrayList<>(rows.size());
            rows.forEach(r -> out.add(LivePort.from(r)));
            return out;
        });
    }

    private static final String POOL_USERS = """
            select c.user_id, c.tenant_id, c.username, c.password_sealed,
                   coalesce(e.traffic_cap_shared, e.traffic_shared_bytes + e.metered_shared_bytes, 0) as traffic_cap,
                   coalesce((extract(epoch from e.as_of) * 1000)::bigint, 0) as cap_version,
                   coalesce(e.metered_shared_bytes, 0) as metered, coalesce(e.exhausted_shared, false) as exhausted
            from pool_credentials c left join entitlements e on e.user_id = c.user_id""";
    private static final String POOL_EXITS = """
            select d.id, d.public_ip, d.tunnel_port, d.country_code, k.name as carrier
            from devices d join servers s on s.id = d.server_id left join carriers k on k.id = d.carrier_id
            where s.name = $1 and d.online and d.status = 'active' and not d.is_private and d.public_ip is not null
              and d.tunnel_port is not null""";

    /** Everyone with pool credentials, with their shared traffic cap. */
    Uni<List<PoolEntry.PoolUser>> poolUsers() {
        return pool.preparedQuery(POOL_USERS).execute().map(rows -> {
            List<PoolEntry.PoolUser> out = new ArrayList<>(rows.size());
            rows.forEach(r -> out.add(PoolEntry.PoolUser.from(r)));
            return out;
        });
    }

    /** The node's online pool devices. */
    Uni<List<PoolEntry.Exit>> poolExits(String node) {
        return pool.preparedQuery(POOL_EXITS).execute(Tuple.of(node)).map(rows -> {
            List<PoolEntry.Exit> out = new ArrayList<>(rows.size());
            rows.forEach(r -> out.add(PoolEntry.Exit.from(r)));
            return out;
        });
    }

    /** Adds a window's bytes to the port's {@code used_traffic} and to its owner's metered total of the kind. */
    Uni<Void> metered(SqlClient tx, UUID portId, UUID userId, UUID tenantId, boolean isPrivate, long bytes) {
        return tx.preparedQuery(METERED_PORT).execute(Tuple.of(portId, bytes))
                .chain(() -> tx.preparedQuery(METERED_USER).execute(Tuple.of(userId, tenantId, isPrivate ? 0L : bytes, isPrivate ? bytes : 0L)))
                .replaceWithVoid();
    }
}
