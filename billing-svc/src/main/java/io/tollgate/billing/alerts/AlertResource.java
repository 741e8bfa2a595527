package io.tollgate.billing.alerts;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tollgate.kit.problem.ProblemException;
import io.tollgate.kit.security.CurrentPrincipal;
import io.tollgate.kit.security.Principal;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;

@Path("/v1/billing/alerts")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Balance")
public class AlertResource {

    public record AlertBody(@NotNull @Min(0) @Max(100_000_000) Long thresholdMinor,
                            @Pattern(regexp = "^[A-Z]{3}$") String currency) {
    }

    private final Alerts alerts;
    private final CurrentPrincipal principal;

    public AlertResource(Alerts alerts, CurrentPrincipal principal) {
        this.alerts = alerts;
        this.principal = principal;
    }

    @GET
    @Operation(summary = "The caller's low-balance thresholds, highest first, each armed or already fired")
    public Uni<Map<String, List<Alerts.Alert>>> list() {
        Principal caller = principal.get();
        caller.requireScope("billing:read");
        return alerts.list(caller.userUuid(), caller.tenantId()).map(list -> Map.of("data", list));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set a threshold (an upsert): balance.low fires once when the available balance falls below it")
    public Uni<Alerts.Alert> upsert(@Valid @NotNull AlertBody body) {
        Principal caller = principal.get();
        caller.requireScope("billing:write");
        return alerts.upsert(caller.userUuid(), caller.tenantId(), body.currency(), body.thresholdMinor());
    }

    @DELETE
    @Operation(summary = "Remove a threshold")
    public Uni<Response> delete(@QueryParam("threshold_minor") Long thresholdMinor, @QueryParam("currency") String currency) {
        Principal caller = principal.get();
        caller.requireScope("billing:write");
        if (thresholdMinor == null) {
            throw ProblemException.validation("threshold_minor", "is required");
        }
        return alerts.delete(caller.userUuid(), caller.tenantId(), currency, thresholdMinor)
                .replaceWith(Response.noContent().build());
    }
}
