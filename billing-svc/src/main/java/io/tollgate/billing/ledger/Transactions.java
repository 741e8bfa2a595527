package io.tollgate.billing.ledger;

import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Reading the journal and the wallets. */
@ApplicationScoped
public class Transactions {

    public static final Set<String> TYPES = Set.of("topup", "hold", "capture", "release", "refund", "grant", "clawback",
            "promo_bonus", "purchase", "adjust");

    public record TransactionView(UUID id, UUID userId, String type, long amountMinor, long reservedChangeMinor,
                                  long balanceAfterMinor, long reservedAfterMinor, String currency, String referenceType,
                                  String referenceId, String description, Instant createdAt) {
        static TransactionView of(Row row) {
            return new TransactionView(row.getUUID("id"), row.getUUID("user_id"), row.getString("type"),
                    row.getLong("amount_minor"), row.getLong("reserved_change_minor"), row.getLong("balance_after_minor"),
                    row.getLong("reserved_after_minor"), row.getString("currency").trim(), row.getString("reference_type"),
                    row.getString("reference_id"), row.getString("description"), row.getOffsetDateTime("created_at").toInstant());
        }
    }

    private static final String COLUMNS = """
            id, user_id, type, amount_minor, reserved_change_minor, balance_after_minor, reserved_after_minor, currency,
            reference_type, reference_id, description, created_at""";

    private final Pool pool;

    public Transactions(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<Ledger.Balance>> wallets(UUID userId, UUID tenantId) {
        return pool.preparedQuery("""
                        select id, user_id, tenant_id, currency, available_minor, reserved_minor from wallets
                        where user_id = $1 and tenant_id = $2 order by created_at, currency""")
                .execute(Tuple.of(userId, tenantId))
                .map(rows -> {
                    List<Ledger.Balance> out = new ArrayList<>();
                    rows.forEach(r -> out.add(Ledger.Balance.of(r)));
                    return out;
                });
    }

    public Uni<TransactionView> one(UUID id) {
        return one(pool, id);
    }

    /** A journal row through {@code client}: the caller's transaction sees the row it just wrote. */
    public Uni<TransactionView> one(io.vertx.mutiny.sqlclient.SqlClient client, UUID id) {
        return client.preparedQuery("select " + COLUMNS + " from journal where id = $1").execute(Tuple.of(id))
                .map(rows -> TransactionView.of(rows.iterator().next()));
    }

    /** A user's journal ({@code userId} null: everyone's in the tenant, or everyone's when tenant is null too). */
    public Uni<Page<TransactionView>> page(UUID userId, UUID tenantId, String type, String currency, PageRequest page) {
        if (type != null && !TYPES.contains(type)) {
            throw ProblemException.validation("type", "must be one of " + String.join(", ", TYPES.stream().sorted().toList()));
        }
        if (currency != null && !currency.matches("^[A-Z]{3}$")) {
            throw ProblemException.validation("currency", "must be an ISO 4217 code such as USD");
        }
        String where = " where ($1::uuid is null or user_id = $1) and ($2::uuid is null or tenant_id = $2)"
                + " and ($3::text is null or type = $3) and ($4::text is null or currency = $4)";
        Tuple filter = Tuple.tuple().addUUID(userId).addUUID(tenantId).addString(type).addString(currency);
        return pool.preparedQuery("select count(*) from journal" + where).execute(filter)
                .chain(count -> pool.preparedQuery("select " + COLUMNS + " from journal" + where
                                + " order by created_at desc, id limit $5 offset $6")
                        .execute(Tuple.tuple().addUUID(userId).addUUID(tenantId).addString(type).addString(currency)
                                .addInteger(page.size()).addInteger(page.offset()))
                        .map(rows -> {
                            List<TransactionView> data = new ArrayList<>();
                            rows.forEach(r -> data.add(TransactionView.of(r)));
                            return Page.of(data, page, count.iterator().next().getLong(0));
                        }));
    }
}
