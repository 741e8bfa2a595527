package io.tollgate.billing.pricing;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
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

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Proxy prices, quotes and purchases from the balance. */
@Path("/v1/billing")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Pricing and purchases")
public class PricingResource {

    public record PriceList(String currency, Map<String, Long> basePricesMinor, Map<String, Long> slotPricesMinor,
                            List<PriceBook.Discount> volumeDiscounts, List<PriceBook.Tier> slotTiers, PriceBook.TierInfo userTierInfo) {
    }

    public record QuoteRequest(String resource, Integer amount, Boolean isPrivate) {
    }

    public record PurchaseRequest(String resource, Integer amount, Boolean isPrivate) {
    }

    private final CurrentPrincipal principal;
    private final PriceBook prices;
    private final Purchases purchases;
    private final Idempotency idempotency;

    public PricingResource(CurrentPrincipal principal, PriceBook prices, Purchases purchases, Idempotency idempotency) {
        this.principal = principal;
        this.prices = prices;
        this.purchases = purchases;
        this.idempotency = idempotency;
    }

    @GET
    @Path("/pricing")
    @Operation(summary = "Traffic prices per GB with volume discounts, port slot prices per month, slot tiers and the caller's tier")
    public Uni<PriceList> pricing() {
        Principal caller = reader();
        return purchases.entitlements(caller.userUuid()).map(e -> new PriceList(prices.currency(),
                Map.of("shared", prices.trafficMinor(false), "private", prices.trafficMinor(true)),
                Map.of("shared", prices.slotMinor(false), "private", prices.slotMinor(true)),
                prices.discounts(), prices.tiers(), e.tier()));
    }

    @GET
    @Path("/calculate-price")
    @Operation(summary = "What a purchase would charge, computed by the purchase's own code; resource traffic (GB) or ports (slots)")
    public PriceBook.Quote calculate(@QueryParam("resource") String resource, @QueryParam("amount") Integer amount,
                                     @QueryParam("is_private") boolean isPrivate) {
        reader();
        return prices.quote(resource == null ? "traffic" : resource, amount, isPrivate);
    }

    @POST
    @Path("/calculate-price")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "As GET, with a JSON body")
    public PriceBook.Quote calculate(QuoteRequest body) {
        reader();
        if (body == null) {
            throw ProblemException.validation("amount", "is required");
        }
        return prices.quote(body.resource() == null ? "traffic" : body.resource(), body.amount(), Boolean.TRUE.equals(body.isPrivate()));
    }

    @GET
    @Path("/entitlements")
    @Operation(summary = "The traffic (bytes) and port slots the caller holds, with the slot tier")
    public Uni<Purchases.Entitlements> entitlements() {
        return purchases.entitlements(reader().userUuid());
    }

    @POST
    @Path("/purchases")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Buy traffic or port slots from the balance: 201 with the purchase and new totals; 402 INSUFFICIENT_BALANCE; "
            + "409 SLOT_LIMIT_EXCEEDED over the tier's slot limit")
    public Uni<Response> buy(PurchaseRequest body, @HeaderParam(Idempotency.HEADER) String key) {
        Principal caller = principal.get();
        caller.requireScope("billing:write");
        if (body == null) {
            throw ProblemException.validation("resource", "is required");
        }
        prices.quote(body.resource(), body.amount(), Boolean.TRUE.equals(body.isPrivate()));
        return idempotency.execute("user:" + caller.userId(), key, "POST", "/v1/billing/purchases", body,
                tx -> purchases.buy(tx, caller.userUuid(), caller.tenantId(), body.resource(), body.amount(), Boolean.TRUE.equals(body.isPrivate()),
                        true, "user:" + caller.userId()).map(p -> Response.status(201).entity(p).build()));
    }

    @GET
    @Path("/purchases")
    @Operation(summary = "The caller's purchases, newest first")
    public Uni<Page<Purchases.PurchaseView>> list(@Valid @BeanParam PageRequest page) {
        return purchases.page(reader().owner(), page);
    }

    @GET
    @Path("/purchases/{id}")
    public Uni<Purchases.PurchaseView> one(@PathParam("id") UUID id) {
        return purchases.one(reader().owner(), id);
    }

    private Principal reader() {
        Principal caller = principal.get();
        caller.requireScope("billing:read");
        return caller;
    }
}
