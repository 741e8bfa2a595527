package io.tollgate.billing.admin;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.billing.ledger.Transactions;
import io.tollgate.billing.wallets.Credits;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
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

    private final Credits credits;
    private final Transactions transactions;
    private final CurrentPrincipal principal;
    private final Idempotency idempotency;

    public AdminBillingResource(Credits credits, Transactions transactions, CurrentPrincipal principal, Idempotency idempotency) {
        this.credits = credits;
        this.transactions = transactions;
        this.principal = principal;
        this.idempotency = idempotency;
    }

    @POST
    @Path("/users/{userId}/credits/grant")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Give credits to a user's wallet (type grant)")
    public Uni<Response> grant(@PathParam("userId") UUID userId, @Valid @NotNull CreditsBody body,
                               @HeaderParam(Idempotency.HEADER) String key) {
        Principal admin = admin();
        return idempotency.execute("admin:" + admin.userId(), key, "POST", "/v1/admin/billing/users/" + userId + "/credits/grant",
                body, tx -> credits.grant(tx, userId, body.amountMinor(), body.currency(), body.reason(), admin.userId())
                        .map(AdminBillingResource::created));
    }

    @POST
    @Path("/users/{userId}/credits/clawback")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Take credits back (type clawback); 402 INSUFFICIENT_BALANCE when the balance would go negative")
    public Uni<Response> clawback(@PathParam("userId") UUID userId, @Valid @NotNull CreditsBody body,
                                  @HeaderParam(Idempotency.HEADER) String key) {
        Principal admin = admin();
        return idempotency.execute("admin:" + admin.userId(), key, "POST", "/v1/admin/billing/users/" + userId + "/credits/clawback",
                body, tx -> credits.clawBack(tx, userId, body.amountMinor(), body.currency(), body.reason(), admin.userId())
                        .map(AdminBillingResource::created));
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

    private static Response created(Credits.Moved moved) {
        return Response.status(201).entity(new CreditsResult(moved.transaction(), moved.availableMinor(), moved.reservedMinor())).build();
    }

    private Principal admin() {
        Principal caller = principal.get();
        caller.requirePlatformAdmin();
        return caller;
    }
}
