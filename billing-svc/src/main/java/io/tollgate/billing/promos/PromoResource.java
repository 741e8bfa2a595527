package io.tollgate.billing.promos;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.billing.ledger.Ledger;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;


@Path("/v1/billing/promo-codes")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Promo codes")
public class PromoResource {

    public record PreviewBody(@NotBlank @Size(max = 64) String code, @NotNull @Positive Long amountMinor,
                              @Pattern(regexp = "^[A-Z]{3}$") String currency) {
    }

    private final Promos promos;
    private final Ledger ledger;
    private final CurrentPrincipal principal;

    public PromoResource(Promos promos, Ledger ledger, CurrentPrincipal principal) {
        this.promos = promos;
        this.ledger = ledger;
        this.principal = principal;
    }

    @POST
    @Path("/preview")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "What a code would add to a top-up; reserves nothing")
    public Uni<Promos.Preview> preview(@Valid @NotNull PreviewBody body) {
        Principal caller = principal.jwt();
        return promos.preview(caller.userUuid(), body.code(), body.amountMinor(),
                body.currency() == null ? ledger.defaultCurrency() : body.currency());
    }
}
