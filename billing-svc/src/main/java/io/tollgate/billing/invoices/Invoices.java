package io.tollgate.billing.invoices;

import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.billing.InvoiceIssued;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Invoices for what was paid, numbered per tenant and year without gaps. */
@ApplicationScoped
public class Invoices {

    public static final Set<String> STATUSES = Set.of("draft", "pending", "paid", "cancelled", "refunded");

    public record Item(int position, String description, String type, int quantity, long unitPriceMinor, long totalMinor) {
    }

    public record InvoiceView(UUID id, String number, String status, String currency, long subtotalMinor, long taxMinor,
                              long totalMinor, String paymentMethod, UUID paymentId, Instant issuedAt, Instant paidAt,
                              List<Item> items) {
    }

    private static final String COLUMNS = """
            id, number, status, currency, subtotal_minor, tax_minor, total_minor, payment_method, payment_id, issued_at, paid_at""";

    private final Pool pool;
    private final Outbox outbox;
    private final Clock clock;

    public Invoices(Pool pool, Outbox outbox, Clock clock) {
        this.pool = pool;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** Issues a paid invoice with one line inside {@code c}'s transaction, with its event. */
    public Uni<UUID> issuePaid(SqlClient c, UUID tenantId, UUID userId, String currency, long amountMinor, String method,
                               UUID paymentId, String description, String type) {
        return issuePaid(c, tenantId, userId, currency, method, paymentId, null, description, type, 1, amountMinor);
    }

    /** A paid invoice of one line, {@code quantity} x {@code unitPriceMinor}, for a payment or a purchase. */
    public Uni<UUID> issuePaid(SqlClient c, UUID tenantId, UUID userId, String currency, String method, UUID paymentId,
                               UUID purchaseId, String description, String type, int quantity, long unitPriceMinor) {
        long amountMinor = quantity * unitPriceMinor;
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        int year = now.atOffset(ZoneOffset.UTC).getYear();
        return c.preparedQuery("""
                        insert into invoice_counters (tenant_id, year, last) values ($1, $2, 1)
                        on conflict (tenant_id, year) do update set last = invoice_counters.last + 1 returning last""")
                .execute(Tuple.of(tenantId, year))
                .chain(counter -> {
                    String number = String.format("INV-%d-%06d", year, counter.iterator().next().getInteger("last"));
                    OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
                    return c.preparedQuery("""
                                    insert into invoices (id, tenant_id, user_id, number, status, currency, subtotal_minor, tax_minor,
                                                          total_minor, payment_method, payment_id, issued_at, paid_at, purchase_id)
                                    values ($1, $2, $3, $4, 'paid', $5, $6, 0, $6, $7, $8, $9, $9, $10)""")
                            .execute(Tuple.from(new Object[] {id, tenantId, userId, number, currency, amountMinor, method, paymentId, at,
                                    purchaseId}))
                            .chain(() -> c.preparedQuery("""
                                            insert into invoice_items (invoice_id, position, description, type, quantity,
                                                                       unit_price_minor, total_minor)
                                            values ($1, 1, $2, $3, $4, $5, $6)""")
                                    .execute(Tuple.of(id, description, type, quantity, unitPriceMinor, amountMinor)))
                            .chain(() -> outbox.append(c, id.toString(), "users/" + userId,
                                    new InvoiceIssued(userId, tenantId, id, number, amountMinor, currency, now)))
                            .replaceWith(id);
                });
    }

    public Uni<Page<InvoiceView>> page(UUID userId, UUID tenantId, String status, PageRequest page) {
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.validation("status", "must be one of " + String.join(", ", STATUSES.stream().sorted().toList()));
        }
        String where = " where user_id = $1 and tenant_id = $2 and ($3::text is null or status = $3)";
        return pool.preparedQuery("select count(*) from invoices" + where).execute(Tuple.of(userId, tenantId, status))
                .chain(count -> pool.preparedQuery("select " + COLUMNS + " from invoices" + where
                                + " order by issued_at desc, number desc limit $4 offset $5")
                        .execute(Tuple.of(userId, tenantId, status, page.size(), page.offset()))
                        .map(rows -> {
                            List<InvoiceView> data = new ArrayList<>();
                            rows.forEach(r -> data.add(view(r, List.of())));
                            return Page.of(data, page, count.iterator().next().getLong(0));
                        }));
    }

    public Uni<InvoiceView> one(UUID userId, UUID tenantId, UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from invoices where id = $1 and user_id = $2 and tenant_id = $3")
                .execute(Tuple.of(id, userId, tenantId))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("invoice");
                    }
                    Row row = rows.iterator().next();
                    return pool.preparedQuery("""
                                    select position, description, type, quantity, unit_price_minor, total_minor
                                    from invoice_items where invoice_id = $1 order by position""")
                            .execute(Tuple.of(id))
                            .map(items -> {
                                List<Item> lines = new ArrayList<>();
                                items.forEach(i -> lines.add(new Item(i.getInteger("position"), i.getString("description"),
                                        i.getString("type"), i.getInteger("quantity"), i.getLong("unit_price_minor"),
                                        i.getLong("total_minor"))));
                                return view(row, lines);
                            });
                });
    }

    private static InvoiceView view(Row r, List<Item> items) {
        OffsetDateTime paid = r.getOffsetDateTime("paid_at");
        return new InvoiceView(r.getUUID("id"), r.getString("number"), r.getString("status"), r.getString("currency").trim(),
                r.getLong("subtotal_minor"), r.getLong("tax_minor"), r.getLong("total_minor"), r.getString("payment_method"),
                r.getUUID("payment_id"), r.getOffsetDateTime("issued_at").toInstant(), paid == null ? null : paid.toInstant(),
                items);
    }
}
