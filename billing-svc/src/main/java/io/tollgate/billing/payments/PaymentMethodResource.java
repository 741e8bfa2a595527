package io.tollgate.billing.payments;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Saved cards and auto top-up: the caller's own, with a session only (money leaves without the customer). */
@Path("/v1/billing")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Payment methods and auto top-up")
public class PaymentMethodResource {

    public record AutoTopUpBody(Boolean enabled, Long thresholdMinor, Long amountMinor, String currency) {
    }

    private final CurrentPrincipal principal;
    private final PaymentMethods methods;
    private final AutoTopUps autoTopUps;

    public PaymentMethodResource(CurrentPrincipal principal, PaymentMethods methods, AutoTopUps autoTopUps) {
        this.principal = principal;
        this.methods = methods;
        this.autoTopUps = autoTopUps;
    }

    @GET
    @Path("/payment-methods")
    @Operation(summary = "Cards saved at top-ups (save_payment_method), the default first")
    public Uni<Page<PaymentMethods.Method>> list(@Valid @BeanParam PageRequest page) {
        return methods.list(principal.jwt().owner(), page);
    }

    @POST
    @Path("/payment-methods/{id}/default")
    @Operation(summary = "Make a card the one auto top-up charges")
    public Uni<PaymentMethods.Method> makeDefault(@PathParam("id") UUID id) {
        return methods.makeDefault(principal.jwt().owner(), id);
    }

    @DELETE
    @Path("/payment-methods/{id}")
    @Operation(summary = "Forget a card; the newest other becomes the default, and auto top-up stops when none is left")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return methods.delete(principal.jwt().owner(), id).replaceWith(Response.noContent().build());
    }

    @GET
    @Path("/auto-topup")
    public Uni<AutoTopUps.Settings> autoTopUp(@QueryParam("currency") String currency) {
        Principal caller = principal.jwt();
        return autoTopUps.get(caller.userUuid(), caller.tenantId(), currency);
    }

    @PUT
    @Path("/auto-topup")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "When the available balance falls below threshold_minor, charge amount_minor to the default card; "
            + "409 NO_PAYMENT_METHOD to enable without one")
    public Uni<AutoTopUps.Settings> setAutoTopUp(AutoTopUpBody body) {
        Principal caller = principal.jwt();
        if (body == null || body.enabled() == null) {
            throw ProblemException.validation("enabled", "is required");
        }
        return autoTopUps.set(caller.userUuid(), caller.tenantId(), body.currency(), body.enabled(), body.thresholdMinor(), body.amountMinor());
    }
}
