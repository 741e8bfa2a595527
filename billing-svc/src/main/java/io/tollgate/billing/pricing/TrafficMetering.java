package io.tollgate.billing.pricing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.billing.AllowanceExhausted;
import io.tollgate.contracts.proxy.TrafficMetered;
import io.tollgate.kit.inbox.ConsumedEvent;
import io.tollgate.kit.inbox.EventHandler;
import io.tollgate.kit.outbox.Outbox;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * Charges each metered traffic window against the user's allowance of its kind, in the inbox's
 * transaction (a window redelivered counts once). The allowance never goes below zero; what is
 * used beyond it is counted as overage, and the first window that empties it publishes
 * {@code allowance.exhausted} so proxy-svc stops the user's ports of that kind. The 50, 80 and 100
 * percent marks the window reaches are announced before that (see {@link TrafficThresholds}).
 */
@ApplicationScoped
public class TrafficMetering implements EventHandler {

    private static final String CHARGE = """
            with old as (select traffic_%1$s_bytes as left_before, exhausted_%1$s as was_exhausted
                         from entitlements where user_id = $1 for update)
            update entitlements e set traffic_%1$s_bytes = greatest(e.traffic_%1$s_bytes - $2, 0),
                   used_%1$s_bytes = e.used_%1$s_bytes + $2,
                   overage_%1$s_bytes = e.overage_%1$s_bytes + greatest($2 - e.traffic_%1$s_bytes, 0),
                   exhausted_%1$s = e.exhausted_%1$s or ($2 > 0 and e.traffic_%1$s_bytes - $2 <= 0),
                   updated_at = now()
            from old where e.user_id = $1
            returning old.was_exhausted, e.exhausted_%1$s as exhausted, e.overage_%1$s_bytes as overage,
                      e.traffic_%1$s_bytes as left_after, e.used_%1$s_bytes as used, e.threshold_%1$s as announced""";

    private static final String DAILY = """
            insert into traffic_usage_daily (user_id, tenant_id, day, is_private, bytes, windows) values ($1, $2, $3, $4, $5, 1)
            on conflict (user_id, day, is_private) do update set bytes = traffic_usage_daily.bytes + excluded.bytes,
                windows = traffic_usage_daily.windows + 1""";

    private final ObjectMapper json;
    private final Outbox outbox;
    private final TrafficThresholds thresholds;
    private final Clock clock;

    public TrafficMetering(ObjectMapper json, Outbox outbox, TrafficThresholds thresholds, Clock clock) {
        this.json = json;
        this.outbox = outbox;
        this.thresholds = thresholds;
        this.clock = clock;
    }

    @Override
    public String consumer() {
        return "billing.traffic";
    }

    @Override
    public Set<String> topics() {
        return Set.of("proxy.events");
    }

    @Override
    public boolean accepts(String type) {
        return TrafficMetered.TYPE.equals(type);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event, SqlConnection tx) {
        TrafficMetered t = event.data(json, TrafficMetered.class);
        long bytes = t.bytesIn() + t.bytesOut();
        String kind = t.isPrivate() ? "private" : "shared";
        return tx.preparedQuery("insert into entitlements (user_id, tenant_id) values ($1, $2) on conflict (user_id) do nothing")
                .execute(Tuple.of(t.userId(), t.tenantId()))
                .chain(() -> tx.preparedQuery(DAILY).execute(Tuple.of(t.userId(), t.tenantId(),
                        t.windowStart().atOffset(ZoneOffset.UTC).toLocalDate(), t.isPrivate(), bytes)))
                .chain(() -> tx.preparedQuery(CHARGE.formatted(kind)).execute(Tuple.of(t.userId(), bytes)))
                .chain(rows -> {
                    Row row = rows.iterator().next();
                    boolean wasExhausted = row.getBoolean("was_exhausted");
                    boolean exhausted = row.getBoolean("exhausted");
                    long overage = row.getLong("overage");
                    TrafficThresholds.Share share = TrafficThresholds.Share.of(row.getLong("left_after"), row.getLong("used"), overage);
                    return thresholds.charged(tx, t.userId(), t.tenantId(), t.isPrivate(), share, row.getInteger("announced"))
                            .chain(() -> exhausted(tx, t, kind, wasExhausted, exhausted, overage));
                });
    }

    private Uni<Void> exhausted(SqlConnection tx, TrafficMetered t, String kind, boolean wasExhausted, boolean exhausted, long overage) {
        if (wasExhausted || !exhausted) {
            return Uni.createFrom().voidItem();
        }
        return outbox.append(tx, t.userId().toString(), "users/" + t.userId(), new AllowanceExhausted(t.userId(),
                t.tenantId(), "traffic_" + kind, overage, clock.instant())).replaceWithVoid();
    }
}
