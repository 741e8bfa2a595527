package io.tollgate.proxy.entitlements;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.billing.EntitlementChanged;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.ZoneOffset;
import java.util.Set;

/**
 * What billing says each user may hold: the slot and traffic totals of {@code entitlement.changed}
 * (each event carries the new totals, so the latest one wins; an older one read late changes
 * nothing). Port creation counts a user's live ports against these slots. The data plane's traffic
 * cap of each kind is what billing says is left plus what the data plane had metered when this is
 * read: billing's figure already counts the windows it has charged, and the cap stays put while
 * later windows are charged, so the bytes the data plane carries are held against the same total.
 */
@ApplicationScoped
public class EntitlementProjection implements EventHandler {

    private static final String UPSERT = """
            insert into entitlements (user_id, tenant_id, slots_shared, slots_private, traffic_shared_bytes, traffic_private_bytes,
                                      as_of, updated_at, traffic_cap_shared, traffic_cap_private)
            values ($1, $2, $3, $4, $5, $6, $7, now(), $5, $6)
            on conflict (user_id) do update set slots_shared = excluded.slots_shared, slots_private = excluded.slots_private,
                   traffic_shared_bytes = excluded.traffic_shared_bytes, traffic_private_bytes = excluded.traffic_private_bytes,
                   as_of = excluded.as_of, updated_at = now(),
                   traffic_cap_shared = excluded.traffic_shared_bytes + entitlements.metered_shared_bytes,
                   traffic_cap_private = excluded.traffic_private_bytes + entitlements.metered_private_bytes
            where entitlements.as_of is null or entitlements.as_of <= excluded.as_of""";

    private final ObjectMapper json;

    public EntitlementProjection(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public String consumer() {
        return "proxy.entitlements";
    }

    @Override
    public Set<String> topics() {
        return Set.of("billing.events");
    }

    @Override
    public boolean accepts(String type) {
        return EntitlementChanged.TYPE.equals(type);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        EntitlementChanged e = event.data(json, EntitlementChanged.class);
        return tx.preparedQuery(UPSERT).execute(Tuple.from(new Object[] {e.userId(), e.tenantId(), e.slotsShared(), e.slotsPrivate(),
                e.trafficSharedBytes(), e.trafficPrivateBytes(), e.occurredAt().atOffset(ZoneOffset.UTC)})).replaceWithVoid();
    }
}
