package io.tollgate.billing.wallets;

import io.smallrye.mutiny.Uni;
import io.tollgate.billing.alerts.Alerts;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.billing.ledger.Transactions;
import io.tollgate.contracts.billing.CreditsClawedBack;
import io.tollgate.contracts.billing.CreditsGranted;
import io.tollgate.kit.faults.Faults;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.UUID;

/**
 * An administrator's grant or clawback: one journal entry against {@code platform:grants}, the alert
 * check, the event and the answer (the journal row as written), in the caller's transaction, where
 * the Idempotency-Key's answer commits too. A clawback never takes the balance below zero (402).
 */
@ApplicationScoped
public class Credits {

    /** The entry written and the wallet's balance after it. */
    public record Moved(Transactions.TransactionView transaction, long availableMinor, long reservedMinor) {
    }

    private final Ledger ledger;
    private final Alerts alerts;
    private final Transactions transactions;
    private final Outbox outbox;
    private final Clock clock;
    private final Faults faults;

    /** Fault point for tests: the answer (the journal row) cannot be read after the move. */
    public static final String FAULT_ANSWER = "billing.credits.answer";

    public Credits(Ledger ledger, Alerts alerts, Transactions transactions, Outbox outbox, Clock clock, Faults faults) {
        this.faults = faults;
        this.ledger = ledger;
        this.alerts = alerts;
        this.transactions = transactions;
        this.outbox = outbox;
        this.clock = clock;
    }

    public Uni<Moved> grant(SqlClient tx, UUID userId, long amountMinor, String currency, String reason, String adminId) {
        return move(tx, userId, amountMinor, currency, reason, adminId, true);
    }

    public Uni<Moved> clawBack(SqlClient tx, UUID userId, long amountMinor, String currency, String reason, String adminId) {
        return move(tx, userId, amountMinor, currency, reason, adminId, false);
    }

    private Uni<Moved> move(SqlClient tx, UUID userId, long amountMinor, String currency, String reason, String adminId,
                            boolean grant) {
        String code = currency == null ? ledger.defaultCurrency() : currency;
        return tx.preparedQuery("select id, tenant_id from wallets where user_id = $1 and currency = $2")
                .execute(Tuple.of(userId, code))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("wallet");
                    }
                    Row wallet = rows.iterator().next();
                    UUID walletId = wallet.getUUID("id");
                    UUID tenantId = wallet.getUUID("tenant_id");
                    UUID journalId = Ids.next();
                    Object event = grant
                            ? new CreditsGranted(userId, tenantId, amountMinor, code, reason, clock.instant())
                            : new CreditsClawedBack(userId, tenantId, amountMinor, code, reason, clock.instant());
                    return ledger.move(tx, walletId, grant ? amountMinor : -amountMinor,
                                    new Ledger.Entry(grant ? "grant" : "clawback", "platform:grants", "admin", adminId, reason), journalId)
                            .call(balance -> alerts.check(tx, walletId))
                            .call(balance -> outbox.append(tx, walletId.toString(), "users/" + userId, event))
                            .call(() -> faults.at(FAULT_ANSWER))
                            .chain(balance -> transactions.one(tx, journalId)
                                    .map(t -> new Moved(t, balance.availableMinor(), balance.reservedMinor())));
                });
    }
}
