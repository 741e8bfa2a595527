package io.tollgate.billing.renewals;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.idempotency.Idempotency;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.UUID;

/** Port auto-renewal charges for proxy-svc (its service token only; never routed by the gateway). */
@Path("/internal/port-renewals")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Port renewals (internal)")
public class PortRenewalResource {

    public record RenewalBody(@NotNull UUID userId, @NotNull UUID tenantId, @NotNull UUID portId, @Size(max = 64) String portName,
                              @NotNull @Min(1) @Max(365) Integer days, @NotNull Boolean isPrivate, @NotNull Instant periodEndsAt) {
    }

    private final PortRenewals renewals;
    private final CurrentPrincipal principal;
    private final Idempotency idempotency;

    public PortRenewalResource(PortRenewals renewals, CurrentPrincipal principal, Idempotency idempotency) {
        this.renewals = renewals;
        this.principal = principal;
        this.idempotency = idempotency;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Charge the balance for days more of a port (its slot's monthly price pro rata): 201 with the renewal; 402"
            + " INSUFFICIENT_BALANCE with required and available, changing nothing. The Idempotency-Key is required; a period"
            + " (port_id, period_ends_at) is charged once")
    @APIResponse(responseCode = "201", description = "Charged", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = PortRenewals.RenewalView.class)))
    public Uni<Response> charge(@Valid @NotNull RenewalBody body, @HeaderParam(Idempotency.HEADER) String key) {
        Principal caller = principal.get();
        caller.requireService("proxy");
        if (key == null) {
            throw ProblemException.validation("Idempotency-Key", "is required: a renewal charge must be safe to retry");
        }
        return idempotency.execute("service:" + caller.userId(), key, "POST", "/internal/port-renewals", body,
                tx -> renewals.charge(tx, new PortRenewals.Request(body.userId(), body.tenantId(), body.portId(), body.portName(),
                                body.days(), body.isPrivate(), body.periodEndsAt()))
                        .map(renewal -> Response.status(201).entity(renewal).build()));
    }
}
