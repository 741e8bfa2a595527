package io.tollgate.billing.admin;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.billing.ledger.Transactions;
import io.tollgate.contracts.billing.CreditsClawedBack;
import io.tollgate.contracts.billing.CreditsGranted;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.ids.Ids;
import io.tollgate.kit.outbox.Outbox;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.util.UUID;

/** Platform administrators: grants, clawbacks and the global journal. */
@Path("/v1/admin/billing")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Billing administration")
public class AdminBillingResource {

    public record CreditsBody(@NotNull @Positive Long amountMinor, @Pattern(regexp = "^[A-Z]{3}$") String currency,
                              @NotBlank @Size(max = 500) String reason) {
    }

    public record CreditsResult(Transactions.TransactionView transaction, long availableMinor, long reservedMinor) {
    }

    private final Ledger ledger;
    private final io.tollgate.billing.alerts.Alerts alerts;
    private final Transactions transactions;
    private final Outbox outbox;
    private final CurrentPrincipal principal;
    private final Idempotency idempotency;
    private final Clock clock;

    public AdminBillingResource(Ledger ledger, io.tollgate.billing.alerts.Alerts alerts, Transactions transactions, Outbox outbox, CurrentPrincipal principal,
                                Idempotency idempotency, Clock clock) {
        this.ledger = ledger;
        this.alerts = alerts;
        this.transactions = transactions;
        this.outbox = outbox;
        this.principal = principal;
        this.idempotency = idempotency;
        this.clock = clock;
    }

    @POST
    @Path("/users/{userId}/credits/grant")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Give credits to a user's wallet (type grant)")
    public Uni<Response> grant(@PathParam("userId") UUID userId, @Valid @NotNull CreditsBody body,
                               @HeaderParam(Idempotency.HEADER) String key) {
        Principal admin = admin();
        return idempotency.execute("admin:" + admin.userId(), key, "POST", "/v1/admin/billing/users/" + userId + "/credits/grant",
                body, () -> change(userId, body, true));
    }

    @POST
    @Path("/users/{userId}/credits/clawback")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Take credits back (type clawback); 402 INSUFFICIENT_BALANCE when the balance would go negative")
    public Uni<Response> clawback(@PathParam("userId") UUID userId, @Valid @NotNull CreditsBody body,
                                  @HeaderParam(Idempotency.HEADER) String key) {
        Principal admin = admin();
        return idempotency.execute("admin:" + admin.userId(), key, "POST", "/v1/admin/billing/users/" + userId + "/credits/clawback",
                body, () -> change(userId, body, false));
    }

    @GET
    @Path("/transactions")
    @Operation(summary = "Every user's journal, newest first; filter by user, type and currency")
    public Uni<Page<Transactions.TransactionView>> all(@QueryParam("user_id") UUID userId, @QueryParam("type") String type,
                                                       @QueryParam("currency") String currency,
                                                       @Valid @BeanParam PageRequest page) {
        admin();
        return transactions.page(userId, null, type, currency, page);
    }

    private Uni<Response> change(UUID userId, CreditsBody body, boolean grant) {
        String currency = body.currency() == null ? ledger.defaultCurrency() : body.currency();
        return ledger.pool().preparedQuery("select id, tenant_id from wallets where user_id = $1 and currency = $2")
                .execute(Tuple.of(userId, currency))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("wallet");
                    }
                    UUID walletId = rows.iterator().next().getUUID("id");
                    UUID tenantId = rows.iterator().next().getUUID("tenant_id");
                    long amount = grant ? body.amountMinor() : -body.amountMinor();
                    UUID journalId = Ids.next();
                    return ledger.pool().withTransaction(c -> ledger.move(c, walletId, amount,
                                    new Ledger.Entry(grant ? "grant" : "clawback", "platform:grants", "admin",
                                            principal.get().userId(), body.reason()), journalId)
                            .call(b -> alerts.check(c, walletId))
                            .call(b -> outbox.append(c, walletId.toString(), "users/" + userId, grant
                                    ? new CreditsGranted(userId, tenantId, body.amountMinor(), currency, body.reason(), clock.instant())
                                    : new CreditsClawedBack(userId, tenantId, body.amountMinor(), currency, body.reason(),
                                    clock.instant()))))
                            .chain(balance -> transactions.one(journalId).map(t -> Response.status(201)
                                    .entity(new CreditsResult(t, balance.availableMinor(), balance.reservedMinor())).build()));
                });
    }

    private Principal admin() {
        Principal caller = principal.get();
        caller.requirePlatformAdmin();
        return caller;
    }
}
