package io.tollgate.billing.payments;

import io.smallrye.mutiny.Uni;
import io.tollgate.billing.alerts.Alerts;
import io.tollgate.billing.invoices.Invoices;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.billing.promos.Promos;
import io.tollgate.contracts.billing.PaymentFailed;
import io.tollgate.contracts.billing.PaymentSucceeded;
import io.tollgate.kit.outbox.Outbox;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The one crediting step every provider's notification ends in: a pending payment moves to
 * succeeded (the wallet credited, a promo bonus added, the invoice issued, a card kept, the waiting
 * auto top-up settled, {@code payment.succeeded} written) or to failed, once per provider event and
 * once per payment, in one transaction.
 */
@ApplicationScoped
public class Crediting {

    private static final Logger LOG = Logger.getLogger(Crediting.class);
    private static final Map<String, String> DISPLAY = Map.of("stripe", "Stripe", "yookassa", "YooKassa", "coingate", "CoinGate");

    /** What a notification did. */
    public record Receipt(boolean received, boolean processed, boolean duplicate, String outcome) {
    }

    private final Ledger ledger;
    private final Alerts alerts;
    private final Promos promos;
    private final Invoices invoices;
    private final Outbox outbox;
    private final Clock clock;

    public Crediting(Ledger ledger, Alerts alerts, Promos promos, Invoices invoices, Outbox outbox, Clock clock) {
        this.ledger = ledger;
        this.alerts = alerts;
        this.promos = promos;
        this.invoices = invoices;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** Runs {@code work} in a transaction once per provider event id; a repeat is acknowledged and changes nothing. */
    public Uni<Receipt> once(String provider, String eventId, String type, Function<SqlClient, Uni<Receipt>> work) {
        return ledger.pool().withTransaction(c -> recordEvent(c, provider, eventId, type)
                .chain(fresh -> fresh ? work.apply(c) : Uni.createFrom().item(new Receipt(true, false, true, "duplicate"))));
    }

    /** Records a provider event in {@code c}'s transaction; false when it was recorded before. */
    public Uni<Boolean> recordEvent(SqlClient c, String provider, String eventId, String type) {
        return c.preparedQuery("""
                        insert into provider_events (provider, event_id, type) values ($1, $2, $3)
                        on conflict do nothing returning event_id""")
                .execute(Tuple.of(provider, eventId, type)).map(inserted -> inserted.size() == 1);
    }

    public Uni<Receipt> succeeded(SqlClient c, String provider, String intentId, UUID paymentRef, long amount, String currency,
                                   StripeProvider.Card card) {
        return c.preparedQuery("""
                        update payments set status = 'succeeded', credited_minor = amount_minor, confirmed_at = now(),
                                            provider_payment_id = $1, updated_at = now()
                        where provider = $5 and status = 'pending'
                          and (provider_payment_id = $1 or (provider_payment_id is null and id = $4))
                          and amount_minor = $2 and lower(currency) = lower($3)
                        returning id, wallet_id, user_id, tenant_id, amount_minor, currency, trigger, provider_payment_id, save_method""")
                .execute(Tuple.of(intentId, amount, currency, paymentRef, provider))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        LOG.warnf("%s success for %s matched no pending payment of that amount", provider, intentId);
                        return Uni.createFrom().item(new Receipt(true, false, false, "no_pending_payment"));
                    }
                    Row p = rows.iterator().next();
                    UUID id = p.getUUID("id");
                    UUID userId = p.getUUID("user_id");
                    UUID tenantId = p.getUUID("tenant_id");
                    long credited = p.getLong("amount_minor");
                    String code = p.getString("currency").trim();
                    UUID walletId = p.getUUID("wallet_id");
                    return ledger.move(c, walletId, credited,
                                    new Ledger.Entry("topup", "provider:" + provider, "payment", id.toString(), "Top-up through " + DISPLAY.get(provider)))
                            .chain(b -> promos.apply(c, id))
                            .chain(bonus -> creditBonus(c, walletId, id, bonus)
                                    .call(() -> alerts.check(c, walletId))
                                    .chain(() -> invoices.issuePaid(c, tenantId, userId, code, credited, provider, id, "Account top-up",
                                            "topup"))
                                    .call(invoiceId -> c.preparedQuery("update payments set invoice_id = $2 where id = $1")
                                            .execute(Tuple.of(id, invoiceId)))
                                    .call(invoiceId -> card == null || !p.getBoolean("save_method") ? Uni.createFrom().voidItem()
                                            : keepCard(c, userId, tenantId, card))
                                    .call(invoiceId -> settleAutoTopUp(c, id, "succeeded", false))
                                    .call(invoiceId -> outbox.append(c, id.toString(), "users/" + userId, new PaymentSucceeded(userId,
                                            tenantId, id, provider, intentId, credited, code, credited + bonus, invoiceId,
                                            p.getString("trigger"), clock.instant()))))
                            .replaceWith(new Receipt(true, true, false, "credited"));
                });
    }

    /** A promo's bonus on top of the top-up, as its own journal entry. */
    private Uni<Void> creditBonus(SqlClient c, UUID walletId, UUID paymentId, long bonus) {
        if (bonus == 0) {
            return Uni.createFrom().voidItem();
        }
        return ledger.move(c, walletId, bonus, new Ledger.Entry("promo_bonus", "platform:promotions", "payment",
                        paymentId.toString(), "Promo bonus"))
                .chain(b -> c.preparedQuery("update payments set credited_minor = amount_minor + $2 where id = $1")
                        .execute(Tuple.of(paymentId, bonus)))
                .replaceWithVoid();
    }

    private static Uni<Void> keepCard(SqlClient c, UUID userId, UUID tenantId, StripeProvider.Card card) {
        return c.preparedQuery("""
                        insert into payment_methods (id, user_id, tenant_id, provider, provider_method_id, brand, last4, exp_month, exp_year,
                                                     is_default)
                        select $1, $2, $3, 'stripe', $4, $5, $6, $7, $8,
                               not exists (select 1 from payment_methods where user_id = $2 and is_default)
                        on conflict (provider, provider_method_id) do nothing""")
                .execute(Tuple.from(new Object[] {UUID.randomUUID(), userId, tenantId, card.providerMethodId(), card.brand(), card.last4(),
                        card.expMonth(), card.expYear()}))
                .replaceWithVoid();
    }

    /** The auto top-up that was waiting for this payment may try again (after a decline, not for an hour). */
    private static Uni<Void> settleAutoTopUp(SqlClient c, UUID paymentId, String result, boolean declined) {
        return c.preparedQuery("""
                        update auto_topup set pending_payment_id = null, due = false, last_result = $2,
                               last_failed_at = case when $3 then now() else last_failed_at end, updated_at = now()
                        where pending_payment_id = $1""")
                .execute(Tuple.of(paymentId, result, declined)).replaceWithVoid();
    }

    public Uni<Receipt> failed(SqlClient c, String provider, String intentId, UUID paymentRef, String reason) {
        return c.preparedQuery("""
                        update payments set status = 'failed', failure_reason = $2, failed_at = now(), provider_payment_id = $1,
                                            updated_at = now()
                        where provider = $4 and status = 'pending'
                          and (provider_payment_id = $1 or (provider_payment_id is null and id = $3))
                        returning id, user_id, tenant_id, amount_minor, currency, trigger""")
                .execute(Tuple.of(intentId, reason, paymentRef, provider))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(new Receipt(true, false, false, "no_pending_payment"));
                    }
                    Row p = rows.iterator().next();
                    UUID id = p.getUUID("id");
                    UUID userId = p.getUUID("user_id");
                    return promos.release(c, id)
                            .chain(() -> settleAutoTopUp(c, id, "declined: " + reason, true))
                            .chain(() -> outbox.append(c, id.toString(), "users/" + userId, new PaymentFailed(userId,
                                    p.getUUID("tenant_id"), id, provider, p.getLong("amount_minor"), p.getString("currency").trim(),
                                    reason, p.getString("trigger"), clock.instant())))
                            .replaceWith(new Receipt(true, true, false, "failed"));
                });
    }
}
