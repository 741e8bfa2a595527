package io.tollgate.billing.renewals;

import io.smallrye.mutiny.Uni;
import io.tollgate.billing.alerts.Alerts;
import io.tollgate.billing.invoices.Invoices;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.billing.pricing.PriceBook;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Port auto-renewal charged from the balance, when proxy-svc asks for a port whose end comes. One
 * transaction: the renewal row (one per port and period, so a period is charged once, whatever
 * reaches billing twice), the wallet's debit through the ledger (a {@code purchase} line the user
 * sees in the transaction list, 402 {@code INSUFFICIENT_BALANCE} changing nothing), a paid invoice
 * (with its {@code invoice.issued}, as a purchase's) and the low-balance check.
 *
 * <p>The price: the platform prices port time by the slot, per month ({@link PriceBook#slotMinor},
 * {@code slot_month} in every quote and purchase), and a port's own time costs nothing beyond the slot
 * it holds. Renewing keeps the slot's port alive for {@code days} more, so it is charged as that slot
 * for those days: the slot's monthly price pro rata over a 30-day month, rounded up to a whole minor
 * unit (30 days cost exactly one slot month; a day never costs nothing). It does not add slots or
 * traffic, so it changes no entitlement and sends no {@code entitlement.changed}.
 */
@ApplicationScoped
public class PortRenewals {

    public static final int DAYS_PER_MONTH = 30;

    public record Request(UUID userId, UUID tenantId, UUID portId, String portName, int days, boolean isPrivate, Instant periodEndsAt) {
    }

    public record RenewalView(UUID id, UUID userId, UUID portId, String portName, boolean isPrivate, int days, Instant periodEndsAt,
                              long slotMonthMinor, long totalMinor, String currency, long balanceAfterMinor, UUID transactionId,
                              UUID invoiceId, Instant createdAt) {
        static RenewalView of(Row r) {
            return new RenewalView(r.getUUID("id"), r.getUUID("user_id"), r.getUUID("port_id"), r.getString("port_name"),
                    r.getBoolean("is_private"), r.getInteger("days"), r.getOffsetDateTime("period_ends_at").toInstant(),
                    r.getLong("slot_month_minor"), r.getLong("total_minor"), r.getString("currency").trim(), r.getLong("balance_after_minor"),
                    r.getUUID("journal_id"), r.getUUID("invoice_id"), r.getOffsetDateTime("created_at").toInstant());
        }
    }

    private static final String VIEW = """
            select r.*, j.balance_after_minor from port_renewals r join journal j on j.id = r.journal_id""";

    private final Ledger ledger;
    private final PriceBook prices;
    private final Invoices invoices;
    private final Alerts alerts;
    private final Clock clock;

    public PortRenewals(Ledger ledger, PriceBook prices, Invoices invoices, Alerts alerts, Clock clock) {
        this.ledger = ledger;
        this.prices = prices;
        this.invoices = invoices;
        this.alerts = alerts;
        this.clock = clock;
    }

    /** What {@code days} of a port of the kind cost: its slot's monthly price pro rata, rounded up. */
    public long priceMinor(boolean isPrivate, int days) {
        return Math.ceilDiv(prices.slotMinor(isPrivate) * days, DAYS_PER_MONTH);
    }

    /**
     * Charges the renewal in {@code c} (the caller's transaction, where the Idempotency-Key's answer
     * commits too). A period already charged answers that renewal again and charges nothing; a user
     * billing has no wallet for in that tenant is 404.
     */
    public Uni<RenewalView> charge(SqlClient c, Request r) {
        UUID id = Ids.next();
        UUID journalId = Ids.next();
        long slotMonth = prices.slotMinor(r.isPrivate());
        long total = priceMinor(r.isPrivate(), r.days());
        String kind = r.isPrivate() ? "private" : "shared";
        String description = "Auto-renewal of " + kind + " port " + (r.portName() == null ? r.portId() : r.portName()) + ", "
                + r.days() + " day(s)";
        return walletOf(c, r).chain(wallet -> c.preparedQuery("""
                                insert into port_renewals (id, tenant_id, user_id, port_id, port_name, is_private, days, period_ends_at,
                                                           slot_month_minor, total_minor, currency, journal_id, created_at)
                                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                                on conflict (port_id, period_ends_at) do nothing returning id""")
                        .execute(Tuple.from(new Object[] {id, r.tenantId(), r.userId(), r.portId(), r.portName(), r.isPrivate(), r.days(),
                                r.periodEndsAt().atOffset(ZoneOffset.UTC), slotMonth, total, prices.currency(), journalId,
                                clock.instant().atOffset(ZoneOffset.UTC)}))
                        .chain(inserted -> inserted.size() == 0 ? existing(c, r)
                                : ledger.move(c, wallet.walletId(), -total, new Ledger.Entry("purchase", "revenue:proxy", "port_renewal",
                                                id.toString(), description), journalId)
                                        .chain(() -> invoices.issuePaid(c, r.tenantId(), r.userId(), prices.currency(), "balance", null, null,
                                                description, "port_renewal", 1, total))
                                        .call(invoice -> c.preparedQuery("update port_renewals set invoice_id = $2 where id = $1")
                                                .execute(Tuple.of(id, invoice)))
                                        .call(() -> alerts.check(c, wallet.walletId()))
                                        .chain(() -> one(c, id))));
    }

    private Uni<Ledger.Balance> walletOf(SqlClient c, Request r) {
        return c.preparedQuery("select tenant_id from wallets where user_id = $1 and currency = $2")
                .execute(Tuple.of(r.userId(), prices.currency()))
                .chain(rows -> {
                    if (rows.size() == 0 || !r.tenantId().equals(rows.iterator().next().getUUID(0))) {
                        throw ProblemException.notFound("wallet");
                    }
                    return ledger.wallet(c, r.userId(), r.tenantId(), prices.currency());
                });
    }

    private static Uni<RenewalView> existing(SqlClient c, Request r) {
        return c.preparedQuery(VIEW + " where r.port_id = $1 and r.period_ends_at = $2")
                .execute(Tuple.of(r.portId(), r.periodEndsAt().atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    RenewalView found = RenewalView.of(rows.iterator().next());
                    if (!found.userId().equals(r.userId())) {
                        throw ProblemException.notFound("port");
                    }
                    return found;
                });
    }

    private static Uni<RenewalView> one(SqlClient c, UUID id) {
        return c.preparedQuery(VIEW + " where r.id = $1").execute(Tuple.of(id)).map(rows -> RenewalView.of(rows.iterator().next()));
    }
}
