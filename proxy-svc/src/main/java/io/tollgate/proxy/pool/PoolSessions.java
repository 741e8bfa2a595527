package io.tollgate.proxy.pool;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A user's live pool sessions, as the data-plane nodes holding them publish them at each refresh
 * (half a second). A row a node has not refreshed for {@value #FRESH_SECONDS} s is of a node that
 * is gone and is not shown. Closing one marks it; its node closes its connections at its next
 * refresh and forgets the row.
 */
@ApplicationScoped
public class PoolSessions {

    static final int FRESH_SECONDS = 5;

    public record SessionView(UUID id, String name, String countryCode, String carrier, boolean strict, int activeConnections,
                          long trafficInBytes, long trafficOutBytes, Instant createdAt, Instant lastUsedAt, Instant expiresAt) {
        static SessionView from(Row r) {
            return new SessionView(r.getUUID("id"), r.getString("name"), r.getString("country_code"), r.getString("carrier"),
                    r.getBoolean("strict"), r.getInteger("active_connections"), r.getLong("traffic_in_bytes"),
                    r.getLong("traffic_out_bytes"), at(r, "created_at"), at(r, "last_used_at"), at(r, "expires_at"));
        }
    }

    static final String LIVE = "s.user_id = $1 and s.tenant_id = $2 and s.close_requested_at is null and s.expires_at > now()"
            + " and s.updated_at > now() - make_interval(secs => " + FRESH_SECONDS + ")";

    private static final String LIST = "select s.id, s.name, s.strict, s.active_connections, s.traffic_in_bytes, s.traffic_out_bytes,"
            + " s.created_at, s.last_used_at, s.expires_at, d.country_code, k.name as carrier, count(*) over () as total"
            + " from pool_sessions s left join devices d on d.id = s.device_id left join carriers k on k.id = d.carrier_id"
            + " where " + LIVE + " order by s.created_at desc, s.id limit $3 offset $4";
    private static final String CLOSE = "update pool_sessions s set close_requested_at = now() where " + LIVE
            + " and ($3::uuid is null or s.id = $3) returning s.id";

    /** Marked rows their live node has not yet acted on (it deletes a session's row once it has closed it). */
    private static final String PENDING = "select count(*) from pool_sessions where id = any($1)"
            + " and updated_at > now() - make_interval(secs => " + FRESH_SECONDS + ")";
    /** How long a close waits for the nodes: a few of their refreshes. */
    static final Duration SETTLE = Duration.ofSeconds(3);
    private static final Duration POLL = Duration.ofMillis(50);

    private final Pool pool;

    public PoolSessions(Pool pool) {
        this.pool = pool;
    }

    public Uni<Page<SessionView>> list(Owner owner, PageRequest page) {
        return pool.preparedQuery(LIST).execute(Tuple.of(owner.userId(), owner.tenantId(), page.size(), page.offset())).map(rows -> {
            List<SessionView> out = new ArrayList<>(rows.size());
            long total = 0;
            for (Row r : rows) {
                out.add(SessionView.from(r));
                total = r.getLong("total");
            }
            return Page.of(out, page, total);
        });
    }

    /**
     * Asks the nodes to close the owner's session {@code id} (null: all of them) and answers how many
     * were asked once the nodes holding them have closed them (at their next refresh), so that a name
     * used after the answer makes a new session; a node that does not act within {@link #SETTLE} is
     * not waited for further (its sessions are closed at its next refresh, and no longer listed).
     */
    public Uni<Integer> close(Owner owner, UUID id) {
        return pool.preparedQuery(CLOSE).execute(Tuple.of(owner.userId(), owner.tenantId(), id)).chain(rows -> {
            List<UUID> ids = new ArrayList<>(rows.size());
            rows.forEach(r -> ids.add(r.getUUID("id")));
            if (ids.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return settled(ids.toArray(UUID[]::new), System.nanoTime() + SETTLE.toNanos()).replaceWith(ids.size());
        });
    }

    private Uni<Void> settled(UUID[] ids, long deadline) {
        return pool.preparedQuery(PENDING).execute(Tuple.of((Object) ids)).chain(rows -> {
            if (rows.iterator().next().getLong(0) == 0 || System.nanoTime() > deadline) {
                return Uni.createFrom().voidItem();
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(POLL).chain(() -> settled(ids, deadline));
        });
    }

    private static Instant at(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
