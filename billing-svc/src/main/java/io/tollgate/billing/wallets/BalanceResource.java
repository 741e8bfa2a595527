package io.tollgate.billing.wallets;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.billing.ledger.Transactions;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** The caller's money: balances and the journal of every move. */
@Path("/v1/billing")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Balance")
public class BalanceResource {

    public record WalletView(String currency, long availableMinor, long reservedMinor) {
    }

    public record BalanceView(String currency, long availableMinor, long reservedMinor, long totalMinor,
                              List<WalletView> wallets) {
    }

    private final Ledger ledger;
    private final Transactions transactions;
    private final CurrentPrincipal principal;

    public BalanceResource(Ledger ledger, Transactions transactions, CurrentPrincipal principal) {
        this.ledger = ledger;
        this.transactions = transactions;
        this.principal = principal;
    }

    @GET
    @Path("/balance")
    @Operation(summary = "Available and reserved (held) balance; the wallet in `currency`, else the first opened")
    public Uni<BalanceView> balance(@QueryParam("currency") String currency) {
        Principal caller = principal.get();
        caller.requireScope("billing:read");
        if (currency != null && !currency.matches("^[A-Z]{3}$")) {
            throw ProblemException.validation("currency", "must be an ISO 4217 code such as USD");
        }
        return transactions.wallets(caller.userUuid(), caller.tenantId()).chain(wallets -> {
            Uni<Ledger.Balance> main = currency != null || wallets.isEmpty()
                    ? ledger.wallet(caller.userUuid(), caller.tenantId(), currency)
                    : Uni.createFrom().item(wallets.get(0));
            return main.chain(b -> transactions.wallets(caller.userUuid(), caller.tenantId()).map(all -> new BalanceView(
                    b.currency(), b.availableMinor(), b.reservedMinor(), b.availableMinor() + b.reservedMinor(),
                    all.stream().map(w -> new WalletView(w.currency(), w.availableMinor(), w.reservedMinor())).toList())));
        });
    }

    @GET
    @Path("/transactions")
    @Operation(summary = "The journal of the caller's wallets, newest first; filter by type and currency")
    public Uni<Page<Transactions.TransactionView>> list(@QueryParam("type") String type, @QueryParam("currency") String currency,
                                                        @Valid @BeanParam PageRequest page) {
        Principal caller = principal.get();
        caller.requireScope("billing:read");
        return transactions.page(caller.userUuid(), caller.tenantId(), type, currency, page);
    }
}
