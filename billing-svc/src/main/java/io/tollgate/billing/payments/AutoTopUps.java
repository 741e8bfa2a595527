package io.tollgate.billing.payments;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.contracts.billing.PaymentFailed;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Auto top-up. A move that takes a wallet below its threshold marks it due (in the move's own
 * transaction, see {@code Alerts}); this worker then charges the default card off-session for the
 * configured amount. The payment goes through the same pipeline as a checkout: the provider's
 * webhook credits it once. A decline credits nothing, publishes {@code payment.failed} (trigger
 * {@code auto_topup}, so the owner is told) and waits an hour before the next attempt.
 */
@ApplicationScoped
public class AutoTopUps {

    private static final Logger LOG = Logger.getLogger(AutoTopUps.class);

    public record Settings(boolean enabled, long thresholdMinor, long amountMinor, String currency, PaymentMethods.Method paymentMethod,
                           Instant lastAttemptAt, String lastResult) {
    }

    private final Ledger ledger;
    private final StripeProvider stripe;
    private final PaymentMethods methods;
    private final Outbox outbox;
    private final Clock clock;
    private final long minMinor;
    private final long maxMinor;
    private final ProviderNotifications notifications;
    private final Duration staleAfter;

    public AutoTopUps(Ledger ledger, StripeProvider stripe, PaymentMethods methods, Outbox outbox, Clock clock, ProviderNotifications notifications,
                      @ConfigProperty(name = "tollgate.billing.auto-topup.stale-after", defaultValue = "10m") Duration staleAfter,
                      @ConfigProperty(name = "tollgate.billing.top-up.min-minor", defaultValue = "500") long minMinor,
                      @ConfigProperty(name = "tollgate.billing.top-up.max-minor", defaultValue = "1000000") long maxMinor) {
        this.ledger = ledger;
        this.stripe = stripe;
        this.methods = methods;
        this.outbox = outbox;
        this.clock = clock;
        this.minMinor = minMinor;
        this.maxMinor = maxMinor;
        this.notifications = notifications;
        this.staleAfter = staleAfter;
    }

    public Uni<Settings> get(UUID userId, UUID tenantId, String currency) {
        return ledger.wallet(userId, tenantId, currency).chain(wallet -> ledger.pool().preparedQuery("select * from auto_topup where wallet_id = $1")
                .execute(Tuple.of(wallet.walletId()))
                .chain(rows -> methods.defaultMethod(userId).map(method -> {
                    if (rows.size() == 0) {
                        return new Settings(false, 0, 0, wallet.currency(), method, null, null);
                    }
                    Row r = rows.iterator().next();
                    return new Settings(r.getBoolean("enabled"), r.getLong("threshold_minor"), r.getLong("amount_minor"), wallet.currency(),
                            method, r.getOffsetDateTime("last_attempt_at") == null ? null : r.getOffsetDateTime("last_attempt_at").toInstant(),
                            r.getString("last_result"));
                })));
    }

    /** Sets it up; enabling needs a default card (409 {@code NO_PAYMENT_METHOD}). A balance already under the threshold is topped up at once. */
    public Uni<Settings> set(UUID userId, UUID tenantId, String currency, boolean enabled, Long thresholdMinor, Long amountMinor) {
        if (thresholdMinor == null || thresholdMinor < 0 || thresholdMinor > maxMinor) {
            throw ProblemException.validation("threshold_minor", "must be between 0 and " + maxMinor);
        }
        if (amountMinor == null || amountMinor < minMinor || amountMinor > maxMinor) {
            throw ProblemException.validation("amount_minor", "must be between " + minMinor + " and " + maxMinor);
        }
        return methods.defaultMethod(userId).chain(method -> {
            if (enabled && method == null) {
                throw ProblemException.conflict("NO_PAYMENT_METHOD", "Save a card at a top-up (save_payment_method) before enabling auto top-up.");
            }
            return ledger.wallet(userId, tenantId, currency).chain(wallet -> ledger.pool().withTransaction(c -> c.preparedQuery("""
                                    insert into auto_topup (wallet_id, user_id, tenant_id, enabled, threshold_minor, amount_minor)
                                    values ($1, $2, $3, $4, $5, $6)
                                    on conflict (wallet_id) do update set enabled = excluded.enabled, threshold_minor = excluded.threshold_minor,
                                        amount_minor = excluded.amount_minor, last_failed_at = null, updated_at = now()""")
                            .execute(Tuple.from(new Object[] {wallet.walletId(), userId, tenantId, enabled, thresholdMinor, amountMinor}))
                            .chain(() -> c.preparedQuery("""
                                            update auto_topup t set due = true from wallets w
                                            where t.wallet_id = $1 and w.id = t.wallet_id and t.enabled and t.pending_payment_id is null
                                              and w.available_minor < t.threshold_minor""")
                                    .execute(Tuple.of(wallet.walletId()))))
                    .chain(() -> get(userId, tenantId, currency)));
        });
    }

    @Scheduled(identity = "auto-topup", every = "${tollgate.billing.auto-topup.scan:2s}", delayed = "5s")
    void scan() {
        try {
            runDue().await().atMost(Duration.ofMinutes(1));
            reconcileStale().await().atMost(Duration.ofMinutes(1));
        } catch (RuntimeException e) {
            LOG.warnf("auto top-up paused: %s", e.getMessage());
        }
    }

    /**
     * An auto top-up whose provider answer never came (its webhook lost) is settled from the intent
     * read back, so the wallet does not wait for ever; returns how many were looked at.
     */
    public Uni<Integer> reconcileStale() {
        return ledger.pool().preparedQuery("""
                        select p.id, p.provider_payment_id from auto_topup t join payments p on p.id = t.pending_payment_id
                        where p.status = 'pending' and p.provider = 'stripe' and p.provider_payment_id is not null
                          and t.last_attempt_at < now() - make_interval(secs => $1)
                        limit 50""")
                .execute(Tuple.of((double) staleAfter.toSeconds()))
                .chain(rows -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    int n = 0;
                    for (Row r : rows) {
                        UUID paymentId = r.getUUID("id");
                        String intentId = r.getString("provider_payment_id");
                        chain = chain.chain(() -> notifications.reconcileStripe(paymentId, intentId)
                                .onFailure().invoke(e -> LOG.warnf("auto top-up %s not reconciled: %s", paymentId, e.getMessage()))
                                .onFailure().recoverWithNull().replaceWithVoid());
                        n++;
                    }
                    int looked = n;
                    return chain.replaceWith(looked);
                });
    }

    private record Due(UUID walletId, UUID userId, UUID tenantId, long amountMinor, String currency, UUID methodId, String providerMethodId,
                       UUID paymentId) {
    }

    /** Starts a charge for every due wallet; returns how many were started. */
    public Uni<Integer> runDue() {
        // claim: the payment row exists (pending) and the wallet points at it before the provider is asked
        return ledger.pool().withTransaction(c -> c.preparedQuery("""
                                select t.wallet_id, t.user_id, t.tenant_id, t.amount_minor, trim(w.currency) as currency, m.id as method_id,
                                       m.provider_method_id
                                from auto_topup t join wallets w on w.id = t.wallet_id
                                join payment_methods m on m.user_id = t.user_id and m.is_default
                                where t.due and t.enabled and t.pending_payment_id is null
                                limit 50 for update of t skip locked""")
                        .execute()
                        .chain(rows -> {
                            List<Due> due = new ArrayList<>();
                            for (Row r : rows) {
                                due.add(new Due(r.getUUID("wallet_id"), r.getUUID("user_id"), r.getUUID("tenant_id"), r.getLong("amount_minor"),
                                        r.getString("currency"), r.getUUID("method_id"), r.getString("provider_method_id"), UUID.randomUUID()));
                            }
                            Uni<Void> chain = Uni.createFrom().voidItem();
                            for (Due d : due) {
                                chain = chain.chain(() -> c.preparedQuery("""
                                                insert into payments (id, wallet_id, user_id, tenant_id, provider, amount_minor, currency, status,
                                                                      trigger, payment_method_id)
                                                values ($1, $2, $3, $4, 'stripe', $5, $6, 'pending', 'auto_topup', $7)""")
                                        .execute(Tuple.from(new Object[] {d.paymentId(), d.walletId(), d.userId(), d.tenantId(), d.amountMinor(),
                                                d.currency(), d.methodId()}))
                                        .chain(() -> c.preparedQuery("""
                                                        update auto_topup set pending_payment_id = $2, last_attempt_at = now(), last_result = 'pending',
                                                               updated_at = now() where wallet_id = $1""")
                                                .execute(Tuple.of(d.walletId(), d.paymentId())))
                                        .replaceWithVoid());
                            }
                            return chain.replaceWith(due);
                        }))
                .chain(due -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Due d : due) {
                        chain = chain.chain(() -> charge(d));
                    }
                    return chain.replaceWith(due.size());
                });
    }

    private Uni<Void> charge(Due d) {
        return stripe.chargeSaved(d.paymentId(), d.amountMinor(), d.currency(), d.providerMethodId())
                .chain(charged -> ledger.pool().preparedQuery("update payments set provider_payment_id = $2, updated_at = now() where id = $1")
                        .execute(Tuple.of(d.paymentId(), charged.providerPaymentId())).replaceWithVoid())
                .onFailure().recoverWithUni(e -> giveUp(d, e.getMessage()));
    }

    /** The provider could not even take the charge: the payment fails here, and the owner hears of it. */
    private Uni<Void> giveUp(Due d, String reason) {
        return ledger.pool().withTransaction(c -> c.preparedQuery("""
                                update payments set status = 'failed', failure_reason = $2, failed_at = now(), updated_at = now()
                                where id = $1 and status = 'pending' returning id""")
                        .execute(Tuple.of(d.paymentId(), reason))
                        .chain(rows -> rows.size() == 0 ? Uni.createFrom().voidItem()
                                : c.preparedQuery("""
                                                update auto_topup set pending_payment_id = null, due = false, last_result = $2, last_failed_at = now()
                                                where wallet_id = $1""")
                                        .execute(Tuple.of(d.walletId(), "failed: " + reason))
                                        .chain(() -> outbox.append(c, d.paymentId().toString(), "users/" + d.userId(), new PaymentFailed(d.userId(),
                                                d.tenantId(), d.paymentId(), "stripe", d.amountMinor(), d.currency(), reason, "auto_topup",
                                                clock.instant())))
                                        .replaceWithVoid()));
    }
}
