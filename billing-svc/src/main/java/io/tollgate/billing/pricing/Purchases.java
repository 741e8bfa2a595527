package io.tollgate.billing.pricing;

import io.smallrye.mutiny.Uni;
import io.tollgate.billing.alerts.Alerts;
import io.tollgate.billing.invoices.Invoices;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.contracts.billing.AllowanceRestored;
import io.tollgate.contracts.billing.EntitlementChanged;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.Owner;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Buying proxy traffic and port slots from the balance. One transaction: the user's entitlement
 * row is locked (so two purchases cannot both squeeze under a slot limit), the wallet is debited
 * through the ledger (402 when it cannot pay), the purchase, new totals, invoice and
 * {@code entitlement.changed} event are written, the traffic thresholds the new share is below
 * re-arm, and the low-balance alerts are checked.
 */
@ApplicationScoped
public class Purchases {

    /** Traffic left (bytes), used and used beyond the allowance; slots held; the tier. */
    public record Entitlements(long trafficSharedBytes, long trafficPrivateBytes, int slotsShared, int slotsPrivate,
                               long usedSharedBytes, long usedPrivateBytes, long overageSharedBytes, long overagePrivateBytes,
                               PriceBook.TierInfo tier) {
        static Entitlements of(Row r) {
            return new Entitlements(r.getLong("traffic_shared_bytes"), r.getLong("traffic_private_bytes"), r.getInteger("slots_shared"),
                    r.getInteger("slots_private"), r.getLong("used_shared_bytes"), r.getLong("used_private_bytes"),
                    r.getLong("overage_shared_bytes"), r.getLong("overage_private_bytes"), PriceBook.tier(r.getLong("cumulative_gb")));
        }

        static Entitlements none() {
            return new Entitlements(0, 0, 0, 0, 0, 0, 0, 0, PriceBook.tier(0));
        }
    }

    public record PurchaseView(UUID id, String resource, boolean isPrivate, int amount, String unit, long unitPriceMinor,
                               int discountPercent, long totalMinor, String currency, boolean charged, UUID invoiceId,
                               String createdBy, Instant createdAt) {
        static PurchaseView of(Row r) {
            return new PurchaseView(r.getUUID("id"), r.getString("resource"), r.getBoolean("is_private"), r.getInteger("amount"),
                    r.getString("resource").equals("traffic") ? "gb" : "slot_month", r.getLong("unit_price_minor"),
                    r.getInteger("discount_percent"), r.getLong("total_minor"), r.getString("currency").trim(), r.getBoolean("charged"),
                    r.getUUID("invoice_id"), r.getString("created_by"), r.getOffsetDateTime("created_at").toInstant());
        }
    }

    public record Purchased(PurchaseView purchase, Entitlements entitlements, Long availableMinor) {
    }

    private final Ledger ledger;
    private final PriceBook prices;
    private final Invoices invoices;
    private final Alerts alerts;
    private final TrafficThresholds thresholds;
    private final Outbox outbox;
    private final Clock clock;

    public Purchases(Ledger ledger, PriceBook prices, Invoices invoices, Alerts alerts, TrafficThresholds thresholds, Outbox outbox,
                     Clock clock) {
        this.ledger = ledger;
        this.prices = prices;
        this.invoices = invoices;
        this.alerts = alerts;
        this.thresholds = thresholds;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** The tenant of a user billing knows (one with a wallet); 404 otherwise. */
    public Uni<UUID> tenantOf(SqlClient client, UUID userId) {
        return client.preparedQuery("select tenant_id from wallets where user_id = $1 limit 1").execute(Tuple.of(userId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("user");
                    }
                    return rows.iterator().next().getUUID(0);
                });
    }

    public Uni<Entitlements> entitlements(UUID userId) {
        return ledger.pool().preparedQuery("select * from entitlements where user_id = $1").execute(Tuple.of(userId))
                .map(rows -> rows.size() == 0 ? Entitlements.none() : Entitlements.of(rows.iterator().next()));
    }

    /**
     * Buys for {@code userId} in {@code c} (the caller's transaction, where the Idempotency-Key's answer
     * commits too); {@code charge} false is an administrator's gift (no debit, no invoice).
     */
    public Uni<Purchased> buy(SqlClient c, UUID userId, UUID tenantId, String resource, Integer amount, boolean isPrivate, boolean charge,
                              String createdBy) {
        PriceBook.Quote quote = prices.quote(resource, amount, isPrivate);
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        String description = quote.resource().equals("traffic")
                ? quote.amount() + " GB " + (isPrivate ? "private" : "shared") + " proxy traffic"
                : quote.amount() + " " + (isPrivate ? "private" : "shared") + " port slot(s), one month";
        return ledger.wallet(c, userId, tenantId, prices.currency()).chain(wallet ->
                lock(c, userId, tenantId).chain(before -> {
                    if (quote.resource().equals("ports")) {
                        int held = isPrivate ? before.slotsPrivate() : before.slotsShared();
                        int limit = isPrivate ? before.tier().privateSlotLimit() : before.tier().sharedSlotLimit();
                        if (held + quote.amount() > limit) {
                            throw ProblemException.conflict("SLOT_LIMIT_EXCEEDED", "Your " + before.tier().currentTier() + " tier allows "
                                            + limit + " " + (isPrivate ? "private" : "shared") + " slot(s); you hold " + held + ".")
                                    .with("limit", limit).with("held", held).with("tier", before.tier().currentTier());
                        }
                    }
                    UUID journalId = charge ? Ids.next() : null;
                    Uni<Long> debit = charge
                            ? ledger.move(c, wallet.walletId(), -quote.totalMinor(), new Ledger.Entry("purchase", "revenue:proxy", "purchase",
                                    id.toString(), description), journalId).map(Ledger.Balance::availableMinor)
                            : Uni.createFrom().item(wallet.availableMinor());
                    return debit.chain(available -> c.preparedQuery("""
                                    insert into purchases (id, tenant_id, user_id, resource, is_private, amount, unit_price_minor, discount_percent,
                                                           total_minor, currency, charged, journal_id, created_by, created_at)
                                    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""")
                            .execute(Tuple.from(new Object[] {id, tenantId, userId, quote.resource(), isPrivate, quote.amount(),
                                    quote.unitPriceMinor(), quote.discountPercent(), charge ? quote.totalMinor() : 0L, quote.currency(), charge,
                                    journalId, createdBy, now.atOffset(java.time.ZoneOffset.UTC)}))
                            .chain(() -> grant(c, userId, quote))
                            .call(granted -> granted.traffic() == null ? Uni.createFrom().voidItem()
                                    : thresholds.granted(c, userId, isPrivate, granted.traffic(), granted.announced()))
                            .call(granted -> granted.restored() == null ? Uni.createFrom().voidItem()
                                    : outbox.append(c, userId.toString(), "users/" + userId, new AllowanceRestored(userId, tenantId,
                                            granted.restored(), granted.restoredBytes(), now)))
                            .map(Granted::after)
                            .chain(after -> (charge ? invoices.issuePaid(c, tenantId, userId, quote.currency(), "balance", null, id,
                                            description, quote.resource(), quote.amount(), quote.unitPriceMinor())
                                            .call(invoice -> c.preparedQuery("update purchases set invoice_id = $2 where id = $1")
                                                    .execute(Tuple.of(id, invoice)))
                                            .call(() -> alerts.check(c, wallet.walletId()))
                                    : Uni.createFrom().voidItem())
                                    .chain(() -> outbox.append(c, userId.toString(), "users/" + userId, new EntitlementChanged(userId, tenantId, id,
                                            quote.resource(), isPrivate, quote.amount(), after.trafficSharedBytes(), after.trafficPrivateBytes(),
                                            after.slotsShared(), after.slotsPrivate(), after.tier().currentTier(), after.tier().sharedSlotLimit(),
                                            after.tier().privateSlotLimit(), now)))
                                    .chain(() -> c.preparedQuery("select * from purchases where id = $1").execute(Tuple.of(id)))
                                    .map(rows -> new Purchased(PurchaseView.of(rows.iterator().next()), after, available))));
                }));
    }

    private static Uni<Entitlements> lock(SqlClient c, UUID userId, UUID tenantId) {
        return c.preparedQuery("insert into entitlements (user_id, tenant_id) values ($1, $2) on conflict (user_id) do nothing")
                .execute(Tuple.of(userId, tenantId))
                .chain(() -> c.preparedQuery("select * from entitlements where user_id = $1 for update").execute(Tuple.of(userId)))
                .map(rows -> Entitlements.of(rows.iterator().next()));
    }

    /**
     * The totals after a purchase, the traffic kind it brought back from exhaustion (or null), and for
     * traffic the new share of its kind with the highest threshold announced before (else null, 0).
     */
    private record Granted(Entitlements after, String restored, long restoredBytes, TrafficThresholds.Share traffic, int announced) {
    }

    private static Uni<Granted> grant(SqlClient c, UUID userId, PriceBook.Quote q) {
        long bytes = q.resource().equals("traffic") ? q.amount() * PriceBook.BYTES_PER_GB : 0;
        int slots = q.resource().equals("ports") ? q.amount() : 0;
        int gb = q.resource().equals("traffic") ? q.amount() : 0;
        long shared = q.isPrivate() ? 0L : bytes;
        long priv = q.isPrivate() ? bytes : 0L;
        return c.preparedQuery("""
                        with old as (select exhausted_shared, exhausted_private from entitlements where user_id = $1)
                        update entitlements e set traffic_shared_bytes = e.traffic_shared_bytes + $2,
                               traffic_private_bytes = e.traffic_private_bytes + $3,
                               slots_shared = e.slots_shared + $4, slots_private = e.slots_private + $5, cumulative_gb = e.cumulative_gb + $6,
                               exhausted_shared = e.exhausted_shared and $2 = 0, exhausted_private = e.exhausted_private and $3 = 0,
                               updated_at = now()
                        from old where e.user_id = $1
                        returning e.*, old.exhausted_shared as was_exhausted_shared, old.exhausted_private as was_exhausted_private""")
                .execute(Tuple.from(new Object[] {userId, shared, priv, q.isPrivate() ? 0 : slots, q.isPrivate() ? slots : 0, (long) gb}))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    Entitlements after = Entitlements.of(r);
                    TrafficThresholds.Share share = bytes == 0 ? null : q.isPrivate()
                            ? TrafficThresholds.Share.of(after.trafficPrivateBytes(), after.usedPrivateBytes(), after.overagePrivateBytes())
                            : TrafficThresholds.Share.of(after.trafficSharedBytes(), after.usedSharedBytes(), after.overageSharedBytes());
                    int announced = bytes == 0 ? 0 : r.getInteger(q.isPrivate() ? "threshold_private" : "threshold_shared");
                    if (shared > 0 && r.getBoolean("was_exhausted_shared")) {
                        return new Granted(after, "traffic_shared", after.trafficSharedBytes(), share, announced);
                    }
                    if (priv > 0 && r.getBoolean("was_exhausted_private")) {
                        return new Granted(after, "traffic_private", after.trafficPrivateBytes(), share, announced);
                    }
                    return new Granted(after, null, 0, share, announced);
                });
    }

    public Uni<Page<PurchaseView>> page(Owner owner, PageRequest page) {
        return ledger.pool().preparedQuery("select count(*) from purchases where user_id = $1 and tenant_id = $2")
                .execute(Tuple.of(owner.userId(), owner.tenantId()))
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(total -> ledger.pool().preparedQuery("select * from purchases where user_id = $1 and tenant_id = $2"
                                + " order by created_at desc, id limit $3 offset $4")
                        .execute(Tuple.of(owner.userId(), owner.tenantId(), page.size(), page.offset()))
                        .map(rows -> {
                            List<PurchaseView> data = new ArrayList<>();
                            rows.forEach(r -> data.add(PurchaseView.of(r)));
                            return Page.of(data, page, total);
                        }));
    }

    public Uni<PurchaseView> one(Owner owner, UUID id) {
        return ledger.pool().preparedQuery("select * from purchases where id = $1 and user_id = $2 and tenant_id = $3")
                .execute(Tuple.of(id, owner.userId(), owner.tenantId()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("purchase");
                    }
                    return PurchaseView.of(rows.iterator().next());
                });
    }
}
