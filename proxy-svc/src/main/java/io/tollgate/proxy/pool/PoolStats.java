package io.tollgate.proxy.pool;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * What a user holds of the proxy product, per kind (shared pool, private): the slots billing sold,
 * the ports in them by state, whether the kind's traffic is spent, and the traffic the user's
 * ports carried (every port ever, deleted ones too); and the pool entry's traffic and what it has
 * open now. Two statements over the user's own rows.
 */
@ApplicationScoped
public class PoolStats {

    /** One kind's figures. */
    public record Kind(boolean isPrivate, int slots, long activePorts, long suspendedPorts, long expiredPorts, boolean trafficExhausted,
                       long usedTrafficBytes) {

        static Kind from(Row r) {
            return new Kind(r.getBoolean("is_private"), r.getInteger("slots"), r.getLong("active"), r.getLong("suspended"),
                    r.getLong("expired"), r.getBoolean("exhausted"), r.getLong("used_bytes"));
        }

        /** Slots no live port holds. */
        public long freeSlots() {
            return Math.max(0, slots - activePorts - suspendedPorts);
        }
    }

    /** The pool entry's own figures: its traffic by direction, and what is open now on every node. */
    public record PoolFigures(long trafficInBytes, long trafficOutBytes, long activeConnections, long activeSessions) {
    }

    public record Stats(Kind shared, Kind isPrivate, PoolFigures pool) {
    }

    static final String POOL = "select coalesce((select c.traffic_in_bytes from pool_credentials c where c.user_id = $1 and c.tenant_id = $2), 0)"
            + " as traffic_in, coalesce((select c.traffic_out_bytes from pool_credentials c where c.user_id = $1 and c.tenant_id = $2), 0)"
            + " as traffic_out, coalesce((select sum(n.connections) from pool_connections n where n.user_id = $1 and n.tenant_id = $2"
            + " and n.updated_at > now() - make_interval(secs => " + PoolSessions.FRESH_SECONDS + ")), 0)::bigint as connections,"
            + " (select count(*) from pool_sessions s where " + PoolSessions.LIVE + ") as sessions";

    static final String STATS = """
            select k.is_private,
                   case when k.is_private then coalesce(e.slots_private, 0) else coalesce(e.slots_shared, 0) end as slots,
                   case when k.is_private then coalesce(e.exhausted_private, false) else coalesce(e.exhausted_shared, false) end as exhausted,
                   count(p.id) filter (where p.status = 'active') as active,
                   count(p.id) filter (where p.status = 'suspended') as suspended,
                   count(p.id) filter (where p.status = 'expired') as expired,
                   coalesce(sum(p.used_traffic_bytes), 0)::bigint as used_bytes
            from (values (false), (true)) as k (is_private)
            left join entitlements e on e.user_id = $1 and e.tenant_id = $2
            left join ports p on p.user_id = $1 and p.tenant_id = $2 and p.is_private = k.is_private
            group by k.is_private, e.slots_private, e.slots_shared, e.exhausted_private, e.exhausted_shared
            order by k.is_private""";

    private final Pool pool;

    public PoolStats(Pool pool) {
        this.pool = pool;
    }

    public Uni<Stats> of(Owner owner) {
        Tuple who = Tuple.of(owner.userId(), owner.tenantId());
        return pool.preparedQuery(STATS).execute(who).chain(rows -> pool.preparedQuery(POOL).execute(who).map(figures -> {
            List<Kind> kinds = new ArrayList<>(2);
            rows.forEach(r -> kinds.add(Kind.from(r)));
            Row f = figures.iterator().next();
            return new Stats(kinds.get(0), kinds.get(1), new PoolFigures(f.getLong("traffic_in"), f.getLong("traffic_out"),
                    f.getLong("connections"), f.getLong("sessions")));
        }));
    }
}
