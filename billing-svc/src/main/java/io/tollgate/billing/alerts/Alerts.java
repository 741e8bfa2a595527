package io.tollgate.billing.alerts;

import io.smallrye.mutiny.Uni;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.contracts.billing.BalanceLow;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Low-balance thresholds: after every move of a wallet, an armed threshold above the available
 * balance fires once ({@code balance.low}) and a disarmed one at or below it re-arms. The same
 * check marks the wallet's auto top-up due when the balance fell below its threshold.
 */
@ApplicationScoped
public class Alerts {

    public record Alert(long thresholdMinor, String currency, boolean armed) {
    }

    /**
     * Whether the wallet that {@code w} names (an expression with the wallet's {@code id, user_id,
     * currency}) has any threshold or auto top-up to check: a statement that moves money selects it
     * so that only such wallets pay for {@link #check} (a second round trip) after the move.
     */
    public static String watched(String w) {
        return """
                (exists (select 1 from balance_alerts a where a.user_id = {w}.user_id and a.currency = {w}.currency)
                 or exists (select 1 from auto_topup t where t.wallet_id = {w}.id and t.enabled)) as watched"""
                .replace("{w}", w);
    }

    private static final String CTES = """
            alert_fired as (
                update balance_alerts a set armed = false, fired_at = now() from w
                where a.user_id = w.user_id and a.currency = w.currency and a.armed and w.available_minor < a.threshold_minor
                returning a.user_id, a.tenant_id, trim(a.currency) as currency, a.threshold_minor, w.available_minor
            ), alert_rearmed as (
                update balance_alerts a set armed = true from w
                where a.user_id = w.user_id and a.currency = w.currency and not a.armed and w.available_minor >= a.threshold_minor
                returning 1
            ), alert_events as (
                insert into outbox (id, topic, aggregate_id, type, source, subject, payload, occurred_at)
                select gen_random_uuid(), 'billing.events', f.user_id::text, '{TYPE}', 'urn:tollgate:billing-svc',
                       'users/' || f.user_id,
                       jsonb_build_object('user_id', f.user_id, 'tenant_id', f.tenant_id, 'currency', f.currency,
                                          'available_minor', f.available_minor, 'threshold_minor', f.threshold_minor,
                                          'occurred_at', now()),
                       now()
                from alert_fired f
                returning 1
            ), alert_topup as (
                update auto_topup t set due = true from w
                where t.wallet_id = w.id and t.enabled and not t.due and t.pending_payment_id is null
                  and w.available_minor < t.threshold_minor
                  and (t.last_failed_at is null or t.last_failed_at < now() - interval '1 hour')
                returning 1
            )""".replace("{TYPE}", BalanceLow.TYPE);

    private static final String CHECK = """
            with w as (
                select id, user_id, tenant_id, currency, available_minor from wallets where id = $1
            ),""" + CTES + """

            select (select count(*) from alert_events) as alerted""";

    private final Ledger ledger;
    private final Outbox outbox;

    public Alerts(Ledger ledger, Outbox outbox) {
        this.ledger = ledger;
        this.outbox = outbox;
    }

    /** Fires or re-arms the wallet's thresholds after a move; call it after every change of the balance. */
    public Uni<Void> check(SqlClient client, UUID walletId) {
        return client.preparedQuery(CHECK).execute(Tuple.of(walletId))
                .invoke(rows -> {
                    if (rows.iterator().next().getLong("alerted") > 0) {
                        outbox.appendedBySql();
                    }
                })
                .replaceWithVoid();
    }

    /** {@link #check} when the row of a move that selected {@link #watched} says the wallet is watched. */
    public Uni<Void> checkIfWatched(SqlClient client, Row moved, UUID walletId) {
        return moved.getBoolean("watched") ? check(client, walletId) : Uni.createFrom().voidItem();
    }

    public Uni<List<Alert>> list(UUID userId, UUID tenantId) {
        return ledger.pool().preparedQuery("""
                        select threshold_minor, trim(currency) as currency, armed from balance_alerts
                        where user_id = $1 and tenant_id = $2 order by threshold_minor desc, currency""")
                .execute(Tuple.of(userId, tenantId))
                .map(rows -> {
                    List<Alert> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Alert(r.getLong("threshold_minor"), r.getString("currency"), r.getBoolean("armed"))));
                    return out;
                });
    }

    /** Sets a threshold (an upsert); it starts armed when the balance is at or above it. */
    public Uni<Alert> upsert(UUID userId, UUID tenantId, String currency, long thresholdMinor) {
        return ledger.wallet(userId, tenantId, currency).chain(wallet -> ledger.pool().preparedQuery("""
                        insert into balance_alerts (user_id, tenant_id, currency, threshold_minor, armed)
                        values ($1, $2, $3, $4, $5)
                        on conflict (user_id, currency, threshold_minor) do update set armed = excluded.armed
                        returning threshold_minor, trim(currency) as currency, armed""")
                .execute(Tuple.of(userId, tenantId, wallet.currency(), thresholdMinor, wallet.availableMinor() >= thresholdMinor))
                .map(rows -> {
                    var r = rows.iterator().next();
                    return new Alert(r.getLong("threshold_minor"), r.getString("currency"), r.getBoolean("armed"));
                }));
    }

    public Uni<Void> delete(UUID userId, UUID tenantId, String currency, long thresholdMinor) {
        return ledger.pool().preparedQuery("""
                        delete from balance_alerts where user_id = $1 and tenant_id = $2 and currency = $3 and threshold_minor = $4""")
                .execute(Tuple.of(userId, tenantId, currency == null ? ledger.defaultCurrency() : currency, thresholdMinor))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ProblemException.notFound("alert");
                    }
                    return null;
                });
    }
}
