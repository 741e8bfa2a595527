package io.tollgate.billing.promos;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.paging.Page;
import io.tollgate.kit.paging.PageRequest;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

@Path("/v1/admin/billing/promo-codes")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Billing administration")
public class AdminPromoResource {

    public record PromoBody(@NotBlank @Pattern(regexp = "^[A-Za-z0-9_-]{2,64}$") String code,
                            @NotNull @Pattern(regexp = "^(percentage|fixed|bonus_credits)$") String kind,
                            @NotNull @Positive Long value, @Pattern(regexp = "^[A-Z]{3}$") String currency,
                            @Positive Integer maxRedemptions, @Min(1) @Max(1000) Integer perUserLimit,
                            @Positive Long minAmountMinor, @Positive Long maxAmountMinor, Instant validFrom, Instant validUntil) {
    }

    private final Promos promos;
    private final CurrentPrincipal principal;

    private final Idempotency idempotency;

    public AdminPromoResource(Promos promos, CurrentPrincipal principal, Idempotency idempotency) {
        this.promos = promos;
        this.principal = principal;
        this.idempotency = idempotency;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a code (upper-cased); 409 PROMO_CODE_TAKEN when it exists")
    public Uni<Response> create(@Valid @NotNull PromoBody body, @HeaderParam(Idempotency.HEADER) String key) {
        Principal admin = admin();
        if ("percentage".equals(body.kind()) && body.value() > 500) {
            throw ProblemException.validation("value", "a percentage must be between 1 and 500");
        }
        if (body.minAmountMinor() != null && body.maxAmountMinor() != null && body.minAmountMinor() > body.maxAmountMinor()) {
            throw ProblemException.validation("max_amount_minor", "must not be below min_amount_minor");
        }
        if (body.validFrom() != null && body.validUntil() != null && !body.validFrom().isBefore(body.validUntil())) {
            throw ProblemException.validation("valid_until", "must be after valid_from");
        }
        return idempotency.execute("admin:" + admin.userId(), key, "POST", "/v1/admin/billing/promo-codes", body,
                tx -> promos.create(tx, new Promos.NewPromo(body.code(), body.kind(), body.value(), body.currency(), body.maxRedemptions(),
                                body.perUserLimit(), body.minAmountMinor(), body.maxAmountMinor(), body.validFrom(), body.validUntil()))
                        .map(p -> Response.status(201).entity(p).build()));
    }

    @GET
    public Uni<Page<Promos.Promo>> list(@Valid @BeanParam PageRequest page) {
        admin();
        return promos.list(page);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Deactivate a code; its history stays")
    public Uni<Promos.Promo> deactivate(@PathParam("id") UUID id) {
        admin();
        return promos.deactivate(id);
    }

    @GET
    @Path("/{id}/redemptions")
    public Uni<Page<Promos.Redemption>> redemptions(@PathParam("id") UUID id, @Valid @BeanParam PageRequest page) {
        admin();
        return promos.redemptions(id, page);
    }

    private Principal admin() {
        Principal caller = principal.get();
        caller.requirePlatformAdmin();
        return caller;
    }
}
