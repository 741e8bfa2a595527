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
     * The CTEs of the check, for a statement that moves money and names the wallet after the move
     * {@code w} (with its {@code id, user_id, currency, available_minor}): an armed threshold above the
     * balance fires ({@code balance.low}, through the kit's outbox insert), a disarmed one at or below
     * it re-arms, and the auto top-up is marked due. A move that selects
     * {@code (select count(*) from alert_events) as alerted} knows whether to wake the relay. In the
     * move's own statement, so the check commits with the move or not at all: a caller never hears
     * of a failed check for money that moved.
     */
    public static String ctes(Outbox outbox) {
        return """
                alert_fired as (
                    update balance_alerts a set armed = false, fired_at = now() from w
                    where a.user_id = w.user_id and a.currency = w.currency and a.armed and w.available_minor < a.threshold_minor
                    returning a.user_id, a.tenant_id, trim(a.currency) as currency, a.threshold_minor, w.available_minor
                ), alert_rearmed as (
                    update balance_alerts a set armed = true from w
                    where a.user_id = w.user_id and a.currency = w.currency and not a.armed and w.available_minor >= a.threshold_minor
                    returning 1
                ), alert_events as (
                    {INSERT}
                    returning 1
                ), alert_topup as (
                    update auto_topup t set due = true from w
                    where t.wallet_id = w.id and t.enabled and not t.due and t.pending_payment_id is null
                      and w.available_minor < t.threshold_minor
                      and (t.last_failed_at is null or t.last_failed_at < now() - interval '1 hour')
                    returning 1
                )""".replace("{INSERT}", outbox.insertSql(BalanceLow.class, "f.user_id::text", "'users/' || f.user_id",
                """
                        jsonb_build_object('user_id', f.user_id, 'tenant_id', f.tenant_id, 'currency', f.currency,
                                           'available_minor', f.available_minor, 'threshold_minor', f.threshold_minor,
                                           'occurred_at', now())""", "from alert_fired f"));
    }

    /** What a move that inlined {@link #ctes} selects, to tell whether an alert fired. */
    public static final String ALERTED = "(select count(*) from alert_events) as alerted";

    private final Ledger ledger;
    private final Outbox outbox;
    private final String check;

    public Alerts(Ledger ledger, Outbox outbox) {
        this.ledger = ledger;
        this.outbox = outbox;
        this.check = """
                with w as (
                    select id, user_id, tenant_id, currency, available_minor from wallets where id = $1
                ),""" + ctes(outbox) + "\nselect " + ALERTED;
    }

    /** Fires or re-arms the wallet's thresholds after a move, in the move's transaction {@code client}. */
    public Uni<Void> check(SqlClient client, UUID walletId) {
        return client.preparedQuery(check).execute(Tuple.of(walletId))
                .invoke(rows -> alerted(rows.iterator().next()))
                .replaceWithVoid();
    }

    /** Wakes the relay when the row of a move that selected {@link #ALERTED} says an alert fired. */
    public void alerted(Row moved) {
        if (moved.getLong("alerted") > 0) {
            outbox.appendedBySql();
        }
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
