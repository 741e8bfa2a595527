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
    private static final String METERED_POOL = "update pool_credentials set traffic_in_bytes = traffic_in_bytes + $2,"
            + " traffic_out_bytes = traffic_out_bytes + $3 where user_id = $1";
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

    /**
     * Adds a window's bytes to the port's {@code used_traffic} (or, for the pool's traffic, to the
     * user's pool totals by direction) and to its owner's metered total of the kind.
     */
    Uni<Void> metered(SqlClient tx, UUID portId, UUID userId, UUID tenantId, boolean isPrivate, long in, long out) {
        long bytes = in + out;
        Uni<?> own = portId.equals(PoolEntry.portId(userId))
                ? tx.preparedQuery(METERED_POOL).execute(Tuple.of(userId, in, out))
                : tx.preparedQuery(METERED_PORT).execute(Tuple.of(portId, bytes));
        return own.chain(() -> tx.preparedQuery(METERED_USER).execute(Tuple.of(userId, tenantId, isPrivate ? 0L : bytes, isPrivate ? bytes : 0L)))
                .replaceWithVoid();
    }

    private static final String CLOSE_REQUESTS = "select id from pool_sessions where node = $1 and close_requested_at is not null";
    private static final String FORGET_SESSIONS = "delete from pool_sessions where node = $1 and not (id = any($2))";
    private static final String PUBLISH_SESSION = """
            insert into pool_sessions (id, node, user_id, tenant_id, name, device_id, strict, created_at, last_used_at, expires_at,
                                       active_connections, traffic_in_bytes, traffic_out_bytes)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            on conflict (id) do update set last_used_at = excluded.last_used_at, active_connections = excluded.active_connections,
                   traffic_in_bytes = excluded.traffic_in_bytes, traffic_out_bytes = excluded.traffic_out_bytes, updated_at = now()""";
    private static final String FORGET_CONNECTIONS = "delete from pool_connections where node = $1 and not (user_id = any($2))";
    private static final String PUBLISH_CONNECTIONS = """
            insert into pool_connections (node, user_id, tenant_id, connections) values ($1, $2, $3, $4)
            on conflict (node, user_id) do update set connections = excluded.connections, updated_at = now()""";

    /** The sessions of this node the API was asked to close. */
    Uni<List<UUID>> closeRequests(String node) {
        return pool.preparedQuery(CLOSE_REQUESTS).execute(Tuple.of(node)).map(rows -> {
            List<UUID> out = new ArrayList<>(rows.size());
            rows.forEach(r -> out.add(r.getUUID("id")));
            return out;
        });
    }

    /** One user's open pool connections on a node. */
    record Connections(UUID userId, UUID tenantId, int open) {
    }

    /** Publishes the node's sessions and pool connections as they are now, and forgets the rest of the node's rows. */
    Uni<Void> publish(String node, List<PoolSession> sessions, List<Connections> connections) {
        UUID[] live = sessions.stream().map(s -> s.id).toArray(UUID[]::new);
        UUID[] users = connections.stream().map(Connections::userId).toArray(UUID[]::new);
        return pool.withTransaction(tx -> {
            Uni<?> chain = tx.preparedQuery(FORGET_SESSIONS).execute(Tuple.of(node, live));
            if (!sessions.isEmpty()) {
                List<Tuple> rows = sessions.stream().map(s -> Tuple.from(List.of(s.id, node, s.userId, s.tenantId, s.name, s.device, s.strict,
                        at(s.createdAt), at(s.lastUsedAt), at(s.expiresAt), s.open(), s.in.get(), s.out.get()))).toList();
                chain = chain.chain(() -> tx.preparedQuery(PUBLISH_SESSION).executeBatch(rows));
            }
            chain = chain.chain(() -> tx.preparedQuery(FORGET_CONNECTIONS).execute(Tuple.of(node, users)));
            if (!connections.isEmpty()) {
                List<Tuple> rows = connections.stream().map(c -> Tuple.of(node, c.userId(), c.tenantId(), c.open())).toList();
                chain = chain.chain(() -> tx.preparedQuery(PUBLISH_CONNECTIONS).executeBatch(rows));
            }
            return chain.replaceWithVoid();
        });
    }

    private static java.time.OffsetDateTime at(java.time.Instant instant) {
        return instant.atOffset(java.time.ZoneOffset.UTC);
    }
}
