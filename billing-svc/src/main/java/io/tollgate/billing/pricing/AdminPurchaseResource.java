package io.tollgate.billing.pricing;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

/** Platform administrators buy proxy traffic or slots for a user, charged or as a gift. */
@Path("/v1/admin/billing")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Admin")
public class AdminPurchaseResource {

    public record AdminPurchaseRequest(String resource, Integer amount, Boolean isPrivate, Boolean chargeUser) {
    }

    private final CurrentPrincipal principal;
    private final PriceBook prices;
    private final Purchases purchases;
    private final Idempotency idempotency;

    public AdminPurchaseResource(CurrentPrincipal principal, PriceBook prices, Purchases purchases, Idempotency idempotency) {
        this.principal = principal;
        this.prices = prices;
        this.purchases = purchases;
        this.idempotency = idempotency;
    }

    @POST
    @Path("/users/{userId}/purchases")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Buy for a user; charge_user=false gives it for free (no debit, no invoice)")
    public Uni<Response> buyFor(@PathParam("userId") UUID userId, AdminPurchaseRequest body, @HeaderParam(Idempotency.HEADER) String key) {
        Principal admin = principal.get();
        admin.requirePlatformAdmin();
        if (body == null) {
            throw ProblemException.validation("resource", "is required");
        }
        prices.quote(body.resource(), body.amount(), Boolean.TRUE.equals(body.isPrivate()));
        boolean charge = !Boolean.FALSE.equals(body.chargeUser());
        return idempotency.execute("admin:" + admin.userId(), key, "POST", "/v1/admin/billing/users/" + userId + "/purchases", body,
                tx -> purchases.tenantOf(tx, userId).chain(tenant -> purchases.buy(tx, userId, tenant, body.resource(), body.amount(), Boolean.TRUE.equals(body.isPrivate()), charge,
                        "admin:" + admin.userId())).map(p -> Response.status(201).entity(p).build()));
    }
}
