package io.tollgate.billing.plans;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.tollgate.billing.alerts.Alerts;
import io.tollgate.billing.invoices.Invoices;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.contracts.billing.SubscriptionExpired;
import io.tollgate.contracts.billing.SubscriptionRenewed;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * FlatRender plans: bought from the balance for a calendar month at a time; at the period end the
 * scheduler renews what is set to renew (a new debit, invoice and {@code subscription.renewed}
 * with the period's quotas) and ends the rest ({@code subscription.expired}). A renewal the
 * balance cannot pay ends the subscription with reason {@code renewal_failed}.
 */
@ApplicationScoped
public class Subscriptions {

    private static final Logger LOG = Logger.getLogger(Subscriptions.class);

    public record Plan(String code, String name, long priceMinor, Long beforePriceMinor, String currency, String billingPeriod,
                       int secondsCharge, int monthlyRendersQuota, int storageGb, int parallelRenders, String maxResolution,
                       double renderSpeedFactor, boolean isFeatured, List<String> features) {
        static Plan of(Row r) {
            return new Plan(r.getString("code"), r.getString("name"), r.getLong("price_minor"), r.getLong("before_price_minor"),
                    r.getString("currency").trim(), r.getString("billing_period"), r.getInteger("seconds_charge"),
                    r.getInteger("monthly_renders_quota"), r.getInteger("storage_gb"), r.getInteger("parallel_renders"),
                    r.getString("max_resolution"), r.getBigDecimal("render_speed_factor").doubleValue(), r.getBoolean("is_featured"),
                    Arrays.asList(r.getArrayOfStrings("features")));
        }
    }

    public record Subscription(UUID id, String planCode, String status, boolean autoRenew, Instant periodStart, Instant periodEnd,
                               int renewals, Instant cancelledAt, Instant endedAt, String endReason, Plan plan) {
    }

    private static final String SUBSCRIPTION = """
            select s.*, p.code, p.name, p.price_minor, p.before_price_minor, p.currency, p.billing_period, p.seconds_charge,
                   p.monthly_renders_quota, p.storage_gb, p.parallel_renders, p.max_resolution, p.render_speed_factor, p.is_featured,
                   p.features
            from subscriptions s join plans p on p.code = s.plan_code""";

    private final Ledger ledger;
    private final Invoices invoices;
    private final Alerts alerts;
    private final Outbox outbox;
    private final Clock clock;

    public Subscriptions(Ledger ledger, Invoices invoices, Alerts alerts, Outbox outbox, Clock clock) {
        this.ledger = ledger;
        this.invoices = invoices;
        this.alerts = alerts;
        this.outbox = outbox;
        this.clock = clock;
    }

    public Uni<List<Plan>> plans() {
        return ledger.pool().preparedQuery("select * from plans where active order by position").execute().map(rows -> {
            List<Plan> plans = new ArrayList<>();
            rows.forEach(r -> plans.add(Plan.of(r)));
            return plans;
        });
    }

    public Uni<Plan> plan(String code) {
        return plan(ledger.pool(), code);
    }

    public Uni<Plan> plan(SqlClient client, String code) {
        return client.preparedQuery("select * from plans where code = $1 and active").execute(Tuple.of(code)).map(rows -> {
            if (rows.size() == 0) {
                throw ProblemException.notFound("plan");
            }
            return Plan.of(rows.iterator().next());
        });
    }

    /** The user's active subscription, else the latest ended one; 404 when there never was one. */
    public Uni<Subscription> current(UUID userId) {
        return current(ledger.pool(), userId);
    }

    private Uni<Subscription> current(SqlClient client, UUID userId) {
        return client.preparedQuery(SUBSCRIPTION + " where s.user_id = $1 order by (s.status = 'active') desc, s.created_at desc limit 1")
                .execute(Tuple.of(userId)).map(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("subscription");
                    }
                    return view(rows.iterator().next());
                });
    }

    /**
     * Buys a month of {@code planCode} in {@code tx} (the subscription, its charge and the answer):
     * 402 when the balance cannot pay, 409 while another subscription is active.
     */
    public Uni<Subscription> subscribe(SqlClient tx, UUID userId, UUID tenantId, String planCode, boolean autoRenew) {
        return plan(tx, planCode).chain(plan -> ledger.wallet(tx, userId, tenantId, plan.currency()).chain(wallet -> {
            UUID id = UUID.randomUUID();
            Instant start = clock.instant();
            Instant end = nextPeriodEnd(start);
            return tx.preparedQuery("""
                                    insert into subscriptions (id, tenant_id, user_id, plan_code, status, auto_renew, period_start, period_end)
                                    values ($1, $2, $3, $4, 'active', $5, $6, $7) on conflict (user_id) where status = 'active' do nothing""")
                            .execute(Tuple.from(new Object[] {id, tenantId, userId, plan.code(), autoRenew, utc(start), utc(end)}))
                            .chain(inserted -> {
                                if (inserted.rowCount() == 0) {
                                    throw ProblemException.conflict("SUBSCRIPTION_ACTIVE",
                                            "A subscription is already active; cancel it (it runs to its period end) before choosing another plan.");
                                }
                                return charge(tx, wallet.walletId(), userId, tenantId, id, plan, start, end, "started");
                            })
                    .chain(() -> current(tx, userId));
        }));
    }

    public Uni<Subscription> setAutoRenew(UUID userId, boolean autoRenew) {
        return ledger.pool().preparedQuery("""
                        update subscriptions set auto_renew = $2, cancelled_at = case when $2 then null else cancelled_at end
                        where user_id = $1 and status = 'active'""")
                .execute(Tuple.of(userId, autoRenew)).chain(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ProblemException.notFound("active subscription");
                    }
                    return current(userId);
                });
    }

    /** Cancels at the period end: the plan's quotas last until then, nothing renews. */
    public Uni<Subscription> cancel(UUID userId) {
        return ledger.pool().preparedQuery("""
                        update subscriptions set auto_renew = false, cancelled_at = coalesce(cancelled_at, $2)
                        where user_id = $1 and status = 'active'""")
                .execute(Tuple.of(userId, utc(clock.instant()))).chain(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ProblemException.notFound("active subscription");
                    }
                    return current(userId);
                });
    }

    @Scheduled(identity = "subscription-renewals", every = "${tollgate.billing.subscriptions.renewal-scan:60s}", delayed = "10s")
    void renewDue() {
        try {
            renewDue(clock.instant()).await().atMost(Duration.ofMinutes(5));
        } catch (RuntimeException e) {
            LOG.warnf("subscription renewals paused: %s", e.getMessage());
        }
    }

    /** Renews or ends every active subscription whose period ended by {@code now}; returns how many were handled. */
    public Uni<Integer> renewDue(Instant now) {
        return ledger.pool().withTransaction(c -> c.preparedQuery(SUBSCRIPTION
                                + " where s.status = 'active' and s.period_end <= $1 order by s.period_end limit 100 for update of s skip locked")
                        .execute(Tuple.of(utc(now)))
                        .chain(rows -> {
                            Uni<Void> chain = Uni.createFrom().voidItem();
                            int n = 0;
                            for (Row row : rows) {
                                Subscription s = view(row);
                                UUID userId = row.getUUID("user_id");
                                UUID tenantId = row.getUUID("tenant_id");
                                chain = chain.chain(() -> settle(c, s, userId, tenantId));
                                n++;
                            }
                            int handled = n;
                            return chain.replaceWith(handled);
                        }))
                .chain(handled -> handled == 100 ? renewDue(now).map(more -> handled + more) : Uni.createFrom().item(handled));
    }

    private Uni<Void> settle(SqlClient c, Subscription s, UUID userId, UUID tenantId) {
        if (!s.autoRenew()) {
            return end(c, s, userId, tenantId, s.cancelledAt() != null ? "cancelled" : "not_renewed");
        }
        Instant start = s.periodEnd();
        Instant end = nextPeriodEnd(start);
        // the wallet is locked and read first: a renewal it cannot pay ends the subscription instead
        return c.preparedQuery("select id, available_minor from wallets where user_id = $1 and currency = $2 for update")
                .execute(Tuple.of(userId, s.plan().currency()))
                .chain(w -> {
                    if (w.size() == 0) {
                        return end(c, s, userId, tenantId, "renewal_failed");
                    }
                    UUID walletId = w.iterator().next().getUUID("id");
                    if (w.iterator().next().getLong("available_minor") < s.plan().priceMinor()) {
                        return end(c, s, userId, tenantId, "renewal_failed");
                    }
                    return c.preparedQuery("update subscriptions set period_start = $2, period_end = $3, renewals = renewals + 1 where id = $1")
                            .execute(Tuple.of(s.id(), utc(start), utc(end)))
                            .chain(() -> charge(c, walletId, userId, tenantId, s.id(), s.plan(), start, end, "renewed"));
                });
    }

    private Uni<Void> end(SqlClient c, Subscription s, UUID userId, UUID tenantId, String reason) {
        Instant now = clock.instant();
        return c.preparedQuery("update subscriptions set status = 'expired', ended_at = $2, end_reason = $3 where id = $1")
                .execute(Tuple.of(s.id(), utc(now), reason))
                .chain(() -> outbox.append(c, s.id().toString(), "users/" + userId,
                        new SubscriptionExpired(userId, tenantId, s.id(), s.planCode(), reason, now)))
                .replaceWithVoid();
    }

    private Uni<Void> charge(SqlClient c, UUID walletId, UUID userId, UUID tenantId, UUID subscriptionId, Plan plan, Instant start,
                             Instant end, String reason) {
        String description = plan.name() + " plan, " + start.atOffset(ZoneOffset.UTC).toLocalDate() + " to "
                + end.atOffset(ZoneOffset.UTC).toLocalDate();
        return ledger.move(c, walletId, -plan.priceMinor(), new Ledger.Entry("purchase", "revenue:plans", "subscription",
                        subscriptionId.toString(), description))
                .call(() -> invoices.issuePaid(c, tenantId, userId, plan.currency(), plan.priceMinor(), "balance", null, description, "plan"))
                .call(() -> alerts.check(c, walletId))
                .call(() -> outbox.append(c, subscriptionId.toString(), "users/" + userId, new SubscriptionRenewed(userId, tenantId,
                        subscriptionId, plan.code(), reason, plan.priceMinor(), plan.currency(), start, end, plan.monthlyRendersQuota(),
                        plan.secondsCharge(), plan.parallelRenders(), clock.instant())))
                .replaceWithVoid();
    }

    /** The same day of the next month (the 31st becomes the month's last day). */
    static Instant nextPeriodEnd(Instant start) {
        return start.atOffset(ZoneOffset.UTC).plusMonths(1).toInstant();
    }

    private static Subscription view(Row r) {
        return new Subscription(r.getUUID("id"), r.getString("plan_code"), r.getString("status"), r.getBoolean("auto_renew"),
                instant(r, "period_start"), instant(r, "period_end"), r.getInteger("renewals"), instant(r, "cancelled_at"),
                instant(r, "ended_at"), r.getString("end_reason"), Plan.of(r));
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
