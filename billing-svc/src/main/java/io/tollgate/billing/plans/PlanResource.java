package io.tollgate.billing.plans;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;

/** FlatRender plans and the caller's subscription. */
@Path("/v1/billing")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Plans and subscriptions")
public class PlanResource {

    public record SubscribeRequest(String planCode, Boolean autoRenew) {
    }

    public record SubscriptionChange(Boolean autoRenew) {
    }

    private final CurrentPrincipal principal;
    private final Subscriptions subscriptions;
    private final Idempotency idempotency;

    public PlanResource(CurrentPrincipal principal, Subscriptions subscriptions, Idempotency idempotency) {
        this.principal = principal;
        this.subscriptions = subscriptions;
        this.idempotency = idempotency;
    }

    @GET
    @Path("/plans")
    @Operation(summary = "The plans on sale, in display order")
    public Uni<Map<String, List<Subscriptions.Plan>>> plans() {
        reader();
        return subscriptions.plans().map(p -> Map.of("data", p));
    }

    @GET
    @Path("/plans/{code}")
    public Uni<Subscriptions.Plan> plan(@PathParam("code") String code) {
        reader();
        return subscriptions.plan(code);
    }

    @GET
    @Path("/subscription")
    @Operation(summary = "The active subscription (else the last one that ended); 404 when there never was one")
    public Uni<Subscriptions.Subscription> current() {
        return subscriptions.current(reader().userUuid());
    }

    @POST
    @Path("/subscription")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Subscribe to a plan, paying its first month from the balance: 201; 402 INSUFFICIENT_BALANCE; "
            + "409 SUBSCRIPTION_ACTIVE")
    public Uni<Response> subscribe(SubscribeRequest body, @HeaderParam(Idempotency.HEADER) String key) {
        Principal caller = writer();
        if (body == null || body.planCode() == null || body.planCode().isBlank()) {
            throw ProblemException.validation("plan_code", "is required");
        }
        boolean autoRenew = !Boolean.FALSE.equals(body.autoRenew());
        return idempotency.execute("user:" + caller.userId(), key, "POST", "/v1/billing/subscription", body,
                tx -> subscriptions.plan(tx, body.planCode())
                        .onFailure(ProblemException.class).transform(e -> ProblemException.validation("plan_code", "is not a plan on sale"))
                        .chain(plan -> subscriptions.subscribe(tx, caller.userUuid(), caller.tenantId(), plan.code(), autoRenew))
                        .map(s -> Response.status(201).entity(s).build()));
    }

    @PATCH
    @Path("/subscription")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Turn renewal on or off")
    public Uni<Subscriptions.Subscription> change(SubscriptionChange body) {
        Principal caller = writer();
        if (body == null || body.autoRenew() == null) {
            throw ProblemException.validation("auto_renew", "is required");
        }
        return subscriptions.setAutoRenew(caller.userUuid(), body.autoRenew());
    }

    @DELETE
    @Path("/subscription")
    @Operation(summary = "Cancel: the plan lasts to its period end and is not renewed")
    public Uni<Subscriptions.Subscription> cancel() {
        return subscriptions.cancel(writer().userUuid());
    }

    private Principal reader() {
        Principal caller = principal.get();
        caller.requireScope("billing:read");
        return caller;
    }

    private Principal writer() {
        Principal caller = principal.get();
        caller.requireScope("billing:write");
        return caller;
    }
}
