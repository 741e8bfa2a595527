package io.tollgate.billing.ledger;

import io.smallrye.mutiny.Uni;
import io.tollgate.contracts.billing.WalletOpened;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.util.UUID;

/**
 * Every change of a wallet's money, each as one SQL statement: the conditional update of the
 * wallet row (its lock serialises concurrent movers, its condition keeps the available balance
 * from going below zero), the journal row the owner sees and the double-entry postings that sum to
 * zero, together or not at all. Callers run these inside a transaction of their own when an event
 * or another row must commit with the move.
 */
@ApplicationScoped
public class Ledger {

    /** A wallet's balances right after a move. */
    public record Balance(UUID walletId, UUID userId, UUID tenantId, String currency, long availableMinor,
                          long reservedMinor) {
        static Balance of(Row row) {
            return new Balance(row.getUUID("id"), row.getUUID("user_id"), row.getUUID("tenant_id"),
                    row.getString("currency").trim(), row.getLong("available_minor"), row.getLong("reserved_minor"));
        }
    }

    /** What a journal row says about the move, besides its amount. */
    public record Entry(String type, String counterAccount, String referenceType, String referenceId, String description) {
    }

    private static final String WALLET_COLUMNS = "id, user_id, tenant_id, currency, available_minor, reserved_minor";

    private static final String OPEN = """
            insert into wallets (id, user_id, tenant_id, currency) values ($1, $2, $3, $4)
            on conflict (user_id, currency) do nothing returning\s""" + WALLET_COLUMNS;

    private static final String FIND = "select " + WALLET_COLUMNS + " from wallets where user_id = $1 and currency = $2";

    // $1 wallet, $2 signed amount, $3 journal id, $4 type, $5 counter account, $6 reference type,
    // $7 reference id, $8 description. A debit only happens when the available balance covers it.
    private static final String MOVE = """
            with w as (
                update wallets set available_minor = available_minor + $2, updated_at = now()
                where id = $1 and available_minor + $2 >= 0
                returning\s""" + WALLET_COLUMNS + """
            ), j as (
                insert into journal (id, wallet_id, user_id, tenant_id, type, amount_minor, balance_after_minor,
                                     reserved_after_minor, currency, reference_type, reference_id, description)
                select $3, id, user_id, tenant_id, $4, $2, available_minor, reserved_minor, currency, $6, $7, $8 from w
            ), p as (
                insert into postings (journal_id, account, amount_minor, currency)
                select $3, 'wallet:' || id || ':available', $2, currency from w
                union all select $3, $5, -$2, currency from w
            )
            select\s""" + WALLET_COLUMNS + " from w";

    private final Pool pool;
    private final Outbox outbox;
    private final Clock clock;
    private final String defaultCurrency;

    public Ledger(Pool pool, Outbox outbox, Clock clock,
                  @ConfigProperty(name = "tollgate.billing.default-currency", defaultValue = "USD") String defaultCurrency) {
        this.pool = pool;
        this.outbox = outbox;
        this.clock = clock;
        this.defaultCurrency = defaultCurrency;
    }

    public Pool pool() {
        return pool;
    }

    public String defaultCurrency() {
        return defaultCurrency;
    }

    /** The user's wallet in {@code currency}, opened (with its event) if it did not exist yet. */
    /** The currency a wallet is opened in when none is given. */
    public String currencyOr(String currency) {
        return currency == null ? defaultCurrency : currency;
    }

    public Uni<Balance> wallet(UUID userId, UUID tenantId, String currency) {
        String code = currencyOr(currency);
        return pool.preparedQuery(FIND).execute(Tuple.of(userId, code)).chain(rows -> rows.size() == 1
                ? Uni.createFrom().item(Balance.of(rows.iterator().next()))
                : pool.withTransaction(c -> open(c, userId, tenantId, code))
                        .chain(opened -> opened != null ? Uni.createFrom().item(opened)
                                : pool.preparedQuery(FIND).execute(Tuple.of(userId, code))
                                        .map(again -> Balance.of(again.iterator().next()))));
    }

    /**
     * {@link #wallet(UUID, UUID, String)} inside {@code client}'s transaction: a request that already
     * holds a transaction takes no second connection from the pool.
     */
    public Uni<Balance> wallet(SqlClient client, UUID userId, UUID tenantId, String currency) {
        String code = currencyOr(currency);
        return client.preparedQuery(FIND).execute(Tuple.of(userId, code)).chain(rows -> rows.size() == 1
                ? Uni.createFrom().item(Balance.of(rows.iterator().next()))
                : open(client, userId, tenantId, code).chain(opened -> opened != null ? Uni.createFrom().item(opened)
                        : client.preparedQuery(FIND).execute(Tuple.of(userId, code))
                                .map(again -> Balance.of(again.iterator().next()))));
    }

    /** Opens the wallet inside {@code client}'s transaction; null when it already existed. */
    public Uni<Balance> open(SqlClient client, UUID userId, UUID tenantId, String currency) {
        return client.preparedQuery(OPEN).execute(Tuple.of(UUID.randomUUID(), userId, tenantId, currency))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Balance opened = Balance.of(rows.iterator().next());
                    return outbox.append(client, opened.walletId().toString(), "users/" + userId,
                                    new WalletOpened(userId, tenantId, opened.walletId(), currency, clock.instant()))
                            .replaceWith(opened);
                });
    }

    /**
     * Adds {@code amountMinor} (negative to take) to the wallet's available balance with its journal
     * row and postings. Taking more than is available fails with 402 {@code INSUFFICIENT_BALANCE}.
     */
    public Uni<Balance> move(SqlClient client, UUID walletId, long amountMinor, Entry entry) {
        return move(client, walletId, amountMinor, entry, Ids.next());
    }

    /** {@link #move(SqlClient, UUID, long, Entry)} with the journal row's id chosen by the caller. */
    public Uni<Balance> move(SqlClient client, UUID walletId, long amountMinor, Entry entry, UUID journalId) {
        if (amountMinor == 0) {
            return Uni.createFrom().failure(new IllegalArgumentException("a move of nothing"));
        }
        Tuple args = Tuple.tuple().addUUID(walletId).addLong(amountMinor).addUUID(journalId)
                .addString(entry.type()).addString(entry.counterAccount()).addString(entry.referenceType())
                .addString(entry.referenceId()).addString(entry.description());
        return client.preparedQuery(MOVE).execute(args).chain(rows -> rows.size() == 1
                ? Uni.createFrom().item(Balance.of(rows.iterator().next()))
                : client.preparedQuery("select available_minor from wallets where id = $1").execute(Tuple.of(walletId))
                        .map(found -> {
                            long available = found.size() == 0 ? 0 : found.iterator().next().getLong("available_minor");
                            throw insufficient(-amountMinor, available);
                        }));
    }

    public static ProblemException insufficient(long required, long available) {
        return new ProblemException(402, "INSUFFICIENT_BALANCE", "Payment Required",
                "The available balance does not cover " + required + "; " + available + " is available.")
                .with("required", required).with("available", available);
    }
}
